"""Word lists behind the name rules: titles, organisation heads, surnames, common given names.

These are general linguistic knowledge (not facts about any document): English honorifics and job
titles, the head nouns that end organisation names in both languages, the most common Chinese surnames
in pinyin and characters (Ministry of Public Security surname statistics), and common Western given names.
"""

from __future__ import annotations

TITLES_EN = frozenset(
    "Dr Dr. Mr Mr. Mrs Mrs. Ms Ms. Prof Prof. Professor Sir Dame Lord Judge Justice Rev. Father President "
    "Premier Minister Secretary Director Chairman Chairwoman Governor Mayor Senator Rep. Representative MP "
    "General Colonel Ambassador Spokesperson Spokesman Spokeswoman".split()
)
ROLE_WORDS_EN = frozenset(
    "director mayor minister secretary spokesperson spokesman spokeswoman lawyer surgeon doctor researcher "
    "professor chairman chair head chief official officer judge author journalist reporter editor analyst "
    "statistician activist practitioner witness aide president premier governor ambassador investigator "
    "ethicist bioethicist commissioner physician nurse founder member leader".split()
)
ORG_HEADS_EN = frozenset(
    "Hospital Bureau Foundation League Consulate Embassy Commission Committee Council Court Tribunal Party "
    "Office Department Center Centre University Institute Society Association Agency Watch Network Service "
    "Radio Television Times Post News Daily Journal Congress Parliament Assembly Organization Organisation "
    "Group Coalition Alliance Federation Union Fund Camp Prison Police Government Army Bank Company "
    "Corporation Press Review Ledger Courier Bulletin Herald Tribune Gazette Monitor Clinic School College "
    "Academy System Board Authority Procuratorate Administration Ministry Cross Forces Navy Institution "
    "Laboratory Wire Newswire Initiative Project Trust Council Conference Secretariat Court".split()
)
ORG_LEADS_EN = frozenset("Ministry Department Office University Bureau Embassy Consulate Institute Academy".split())
ORG_ANAPHORA_EN = frozenset(
    "foundation tribunal bureau hospital party society commission committee court camp ministry centre center "
    "council consulate embassy league association agency university institute system".split()
)
SPEECH_VERBS_EN = (
    "said|says|added|told|wrote|writes|stated|states|noted|explained|argued|argues|concluded|estimated|"
    "estimates|estimate|reported|reports|believes|believe|warned|insisted|acknowledged|claimed|claims|"
    "announced|found|find|finds|called on|urged|urge|urges|spoke of|testified|asserted|denied|confirmed"
)
SENTENCE_STARTERS = frozenset(
    "The A An In On At Before After During Since Its His Her Their Our This That These Those Former Critics "
    "Officials Researchers According Last Next Some Many Most All Both Each He She They We I It Nobody New "
    "First When While Although If But And Or So Yet Then Today Yesterday Under Over From For With Without "
    "By As Also However Meanwhile Earlier Later Such Other Another One Two Three Many Several Every Any No "
    "Not Only There Here What Who Why How Where Which Our Your My Dr Mr Mrs Ms Prof Sir Timeline Published "
    "Updated Excerpt Reading Capacity House Donations Beijing Falun".split()
) - {"Beijing", "Falun", "House"}
NON_NAME_WORDS = frozenset(
    "January February March April May June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday Chinese Canadian American British English French German "
    "Israeli Australian Japanese Korean European Western Eastern Uyghur Uighur Tibetan Christian Muslim "
    "Buddhist Communist State Secretary Minister Vice Deputy Former Report Regulations Resolution Act Law "
    "Table Figure Update Summary Judgment Final Sample Wire Digest Note Notes Abstract Article Research "
    "International Patient Patients Professor Doctor".split()
)
PINYIN_SURNAMES = frozenset(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song "
    "Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Jia Ding Wei Xue Ye Yan Lu Du Dai "
    "Xia Zhong Ren Shen Yao Fu Qin Bo Meng Shi Cui Kong Mao Qiu Qian Tan Hou Shao Long Wan Duan Lei Hao Gu Kang "
    "Yin Niu Fan Fang Ling Bai Gong Su Ding Qi Xiong Jin Lai Ou Ge Geng Chang Mo Rao Hong Lou Zhai Chai".split()
)
GIVEN_NAMES_EN = frozenset(
    "David John Michael James Robert William Richard Thomas Tomas Mark Paul Peter Andrew Daniel Samuel Matthew "
    "Jacob Ethan Geoffrey Francis Raymond Torsten Harry Joseph Charles Christopher Steven Stephen George Edward "
    "Brian Kevin Jason Jeffrey Ryan Gary Eric Jonathan Justin Benjamin Nicholas Patrick Simon Martin Anthony "
    "Henry Frank Alan Adam Ian Hugh Jan Hans Erik Lars Pierre Jean Luc Marco Carlos Juan Ben Tom Tim Dan Sam "
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Helen Anna Anne Laura "
    "Joanna Priya Wendy Emma Olivia Sophie Sophia Grace Maria Julia Claire Catherine Kate Rachel Rebecca Ruth "
    "Alice Emily Hannah Victoria Margaret Jane Amy Lucy Nina Eva Ingrid Astrid Marie Isabel Elena Natalie "
    "Caroline Louise Diane Ellen Sharon Deborah Carol Michelle Amanda Melissa Stephanie Nicole Heather".split()
)
ZH_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤薄温习俞令傅"
)
ZH_TITLES = (
    "局长|副局长|院长|副院长|主任|副主任|教授|医生|医师|书记|副书记|市长|副市长|省长|部长|副部长|主席|副主席|总理|"
    "发言人|委员|处长|所长|厅长|司长|律师|记者|研究员|博士|先生|女士|爵士|总统|大使|常委|外长|外相|首相|上将|中将|少将|"
    "将军|将领|夫人|总书记|董事长|总经理|主任医师|院士|科长|队长|主编|政委|司令员|司令"
)
# Title words that open a person's or a body's description without being part of its name.
ZH_TITLE_PREFIX = "时任|時任|现任|現任|原任|曾任|前任|原|前|现"
# Single-character abbreviations of countries, used in pairs ("中美关系", "中日两国"): each is a place.
ZH_COUNTRY_ABBREVIATIONS = (
    "中美日英法德俄苏意加澳印韩朝越泰巴埃坦西葡荷比瑞挪丹芬波匈捷罗保希土伊以叙沙蒙缅老柬菲马新墨智古"
)
# Ordinary words that end in an organisation head character but name no body.
ZH_NOT_ORG = frozenset(
    "干部 内部 外部 全部 局部 东部 西部 南部 北部 中部 腹部 头部 底部 顶部 结合部 大局 全局 格局 布局 当局 结局 "
    "政党 入党 建党 整党 党 部 局 委 军 社 报 厅 署 委员会 管理局 办公室 中心 政府 公司 集团 组织 协会 学会 联盟 "
    "冠军 亚军 季军 全军 大军 友军 将军 军 社会 报告 日报 简报 情报 画报 公报 通报 海报 年报 电报".split()
)
ORG_HEADS_ZH = (
    "公安局|公安厅|公安部|基金会|委员会|医院|法院|检察院|监狱|劳教所|劳动教养所|劳动教养院|看守所|办公室|政府|大学|学院|研究所|"
    "研究院|研究中心|移植中心|中心|协会|学会|总领事馆|领事馆|大使馆|电台|电视台|日报|时报|通讯社|新闻社|卫生局|卫生厅|"
    "人大|政协|联盟|组织|公司|集团|裁判所|常委会|工会|学联|红十字会|议会|立法会|理事会|董事会|委|部|局|署|厅|党|军|社|报|队"
)
SPEECH_VERBS_ZH = "说|表示|称|指出|强调|认为|估计|介绍|透露|宣布|声称|坦言|回应"
