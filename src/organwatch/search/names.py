"""Which Chinese words get pinyin keys, and the keys themselves.

A Latin query such as "Wang Lijun" must find 王立军 / 王立軍. We index toneless, joined pinyin keys
(``wanglijun``, ``lijunwang``; surname heteronyms expanded: 薄熙来 → ``boxilai`` and ``baoxilai``) for
words that look like personal names: two to four Han characters starting with a common surname.
Keying every Chinese word would roughly double the word index for little gain (place and
organisation names are searched in characters); the benchmark reports the size of this column.

>>> name_keys("王立軍")
('lijunwang', 'wanglijun')
>>> name_keys("医院")
()
"""

from __future__ import annotations

import functools

from organwatch.text.chinese import COMPOUND_SURNAMES, SURNAME_READINGS, pinyin_keys, to_simplified

# The common single-character surnames (simplified), covering the great majority of people named in
# our sources; rare surnames are still found by searching the characters.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆"
    "乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平"
    "计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公"
    "哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)  # fmt: skip


def _surname_of(word: str) -> str | None:
    if len(word) >= 3 and word[:2] in COMPOUND_SURNAMES:
        return word[:2]
    head = word[:1]
    return head if head in COMMON_SURNAMES or head in SURNAME_READINGS else None


def is_name_like(word: str) -> bool:
    """True for 2–4 Han characters that start with a common surname (in simplified form)."""
    if not 2 <= len(word) <= 4:
        return False
    if not all("\u3400" <= ch <= "\u9fff" for ch in word):
        return False
    return _surname_of(word) is not None


@functools.lru_cache(maxsize=65536)
def name_keys(word: str) -> tuple[str, ...]:
    """Joined pinyin keys of a name-like word (either script), sorted; ``()`` for other words."""
    simplified = to_simplified(word)
    if not is_name_like(simplified):
        return ()
    return tuple(sorted({key.replace(" ", "") for key in pinyin_keys(simplified)}))
