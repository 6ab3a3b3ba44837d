"""Attribution: find who says what in a sentence, in English and Chinese.

The extract stage already pairs quotes and reported speech with *named* speakers. Claims also come from
speakers no name list holds — "the researchers estimated", "officials rejected claims that", "critics say",
卫生部官员否认, 消息人士透露 — and from pronouns ("He called on…", 他强调). This module finds those
attribution frames by their verbs: the noun phrase before the verb is the speaker, what follows (after
"that", a colon or a Chinese comma) up to the end of the sentence is what is attributed.

Every frame keeps three spans — speaker, verb, attributed content — so a claim can cite exactly what the
text says. Nothing here decides whether the statement is true.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from organwatch.model.claims import Stance

# Verbs of saying, by the stance they give what follows.
_DENY_EN = r"denied|denies|deny|rejected|rejects|dismissed|dismisses|refuted|refutes"
_CALL_EN = (r"urged|urges|urge|called on|calls on|call on|called for|calls for|call for|appealed to|appeals to|"
            r"demanded|demands|demand")
_ESTIMATE_EN = r"estimated|estimates|estimate|calculated|calculates|projected"
_ASSERT_EN = (r"said|says|say|stated|states|told|tell|tells|wrote|writes|noted|notes|explained|argued|argues|argue|"
              r"concluded|concludes|conclude|reported|reports|believes|believe|warned|warns|insisted|insists|"
              r"acknowledged|acknowledges|claimed|claims|claim|announced|announces|found|finds|find|testified|"
              r"asserted|asserts|confirmed|confirms|alleged|alleges|allege|maintained|maintains|added|adds|"
              r"revealed|reveals|admitted|admits|determined|ruled|advertised|advertises|promised|promises|boasted|"
              r"boasts|showed|shows|show|suggested|suggests|suggest|indicate|indicates|indicated")
_VERB_EN = rf"(?:{_DENY_EN}|{_CALL_EN}|{_ESTIMATE_EN}|{_ASSERT_EN})"

_DENY_ZH = "否认|驳斥|否定|辟谣"
_CALL_ZH = "呼吁|敦促|促请"
_ESTIMATE_ZH = "估计|估算|推算|推测"
_ASSERT_ZH = ("表示|指出|强调|认为|透露|宣布|声称|坦言|回应|认定|裁定|说|称|报道|承认|警告|发现|介绍|证实|披露|"
              "写道|得出结论|显示|表明|告诉|证明")
_VERB_ZH = rf"(?:{_DENY_ZH}|{_CALL_ZH}|{_ESTIMATE_ZH}|{_ASSERT_ZH})"

# Words that make a direct quote a denial whatever verb introduces it.
_REBUTTAL = re.compile(r"fabricat|groundless|baseless|no basis|not true|untrue|\blies\b|slander|smear|rumou?r|"
                       r"捏造|毫无根据|毫无事实根据|没有事实根据|谣言|不实|造谣|诬蔑|污蔑|纯属", re.IGNORECASE)

# A speaker is a short noun phrase: a name, an institution or a common noun ("the researchers").
_PRONOUNS_EN = {"he", "she", "they", "it", "we"}
_PRONOUNS_ZH = {"他", "她", "他们", "她们", "其", "该人"}
_NOT_SPEAKERS_EN = {"this", "that", "which", "who", "what", "there", "one", "some", "many", "i", "you"}
_EN_FILLER = re.compile(r"\s+(?:also|later|again|then|previously|earlier|recently|repeatedly|have|has|had|long|"
                        r"once|further|separately|publicly|privately|officially|(?:have|has|had)\s+(?:for|over)\s+"
                        r"[\w ]{1,25})$", re.IGNORECASE)
_EN_APPOSITIVE = re.compile(r",\s*(?:a|an|the|its|his|her|their|which|who)\s[^,]{1,60},?$")
_EN_AND_COLLEAGUES = re.compile(r"\s+and\s+(?:his|her|their)\s+(?:colleagues|co-authors|team)$", re.IGNORECASE)
_EN_TIME_TAIL = re.compile(r"\s+(?:on|in|at|last|this|during)\s+[\w.\- ]{1,30}$")
# Objects between a verb and "that": "told reporters in Beijing that", "said in a statement that".
_EN_BRIDGE = re.compile(r"(?:\s+(?:reporters|journalists|the\s+\w+|a\s+\w+|parliament|congress|lawmakers|"
                        r"the\s+court|the\s+tribunal|state\s+media)(?:\s+(?:in|at|on)\s+[\w.,\- ]{1,30}?)?)?"
                        r"(?:\s+(?:in|at|on|last|this|during)\s+[\w.,\- ]{1,40}?)?"
                        r"(?:\s+(?:(?:the\s+)?(?:claims?|allegations?|reports?|suggestions?|accusations?|charges?)))?"
                        r"\s*(?:,\s*)?(?:that\b|:)\s*")
_EN_CLAUSE_START = re.compile(r"\s+(?=(?:the|a|an|this|these|those|it|they|there|he|she|its|their|his|her|"
                              r"China|Chinese|[A-Z][a-z]+|[0-9])\b)")
_SENTENCE_END_EN = re.compile(r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|No|Jr|Sr))"
                              r"(?<!\b(?:Mrs|Feb|Jan|Mar|Apr|Jun|Jul|Aug|Sep|"
                              r"Oct|Nov|Dec|Gen|Col|Sen|Rep))(?<!\bProf)(?<!\bSept)[.!?](?=[\s\"”’']|$)|\n")
_SENTENCE_END_ZH = re.compile(r"[。！？!?\n]")
_ZH_BOUNDARY = "，。；：！？、,;:!?\n“”「」『』"
_ZH_CUT = re.compile(r"(?:在|于|對|对|向|昨天|今天|昨日|今日|日前|近日|曾|也|还|還|则|則|再次|已|均|都|正式|公开|公開|"
                     r"进一步|進一步|随后|隨後|当天|當天|早前|此前)")
_ZH_NOT_VERB_AFTER = {"称": "为作呼谓号", "说": "明法服", "报道": "中", "表示": "为"}
_ZH_NOT_VERB_BEFORE = {"称": "名简被统俗号宣声堪对指", "说": "据小听学传游", "发现": "被", "认为": "被", "表示": "",
                       "报道": "的"}

MAX_CONTENT = 600


@dataclass(frozen=True)
class Frame:
    """One attribution frame: ``speaker`` says ``content`` with ``stance``; spans in code points."""

    speaker: str
    speaker_start: int
    speaker_end: int
    verb: str
    stance: Stance
    content_start: int
    content_end: int
    method: str


def stance_of(verb: str, content: str = "") -> Stance:
    """The stance a verb of saying gives its content (a rebuttal in the content makes any verb a denial).

    >>> stance_of("estimated"), stance_of("否认"), stance_of("said", "These reports are fabricated")
    ('estimates', 'denies', 'denies')
    """
    v = verb.lower().strip()
    if re.fullmatch(_DENY_EN, v) or re.fullmatch(_DENY_ZH, v):
        return "denies"
    if re.fullmatch(_CALL_EN, v) or re.fullmatch(_CALL_ZH, v):
        return "calls_for"
    if re.fullmatch(_ESTIMATE_EN, v) or re.fullmatch(_ESTIMATE_ZH, v):
        return "estimates"
    if content and _REBUTTAL.search(content):
        return "denies"
    return "asserts"


def is_pronoun(speaker: str) -> bool:
    """True for a speaker that needs resolving to an earlier one ("He", 他)."""
    return speaker.lower() in _PRONOUNS_EN or speaker in _PRONOUNS_ZH


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in " ,，;；:：\"'“”":
        end -= 1
    while start < end and text[start] in " \"“":
        start += 1
    return start, end


def _sentence_start_en(text: str, position: int) -> int:
    floor = max(0, position - 300)
    best = floor
    for m in _SENTENCE_END_EN.finditer(text, floor, position):
        best = m.end()
    return best


def _en_speaker(text: str, sentence_start: int, verb_start: int) -> tuple[int, int] | None:
    """The noun phrase that ends right before the verb (trimmed of appositives, fillers and time phrases)."""
    start, end = sentence_start, verb_start
    head = text[start:end].rstrip()
    end = start + len(head)
    for _ in range(3):
        changed = False
        for pattern in (_EN_FILLER, _EN_APPOSITIVE, _EN_AND_COLLEAGUES, _EN_TIME_TAIL):
            m = pattern.search(text, start, end)
            if m and m.start() > start:
                end = m.start()
                changed = True
        if not changed:
            break
    phrase = text[start:end]
    dateline = max(phrase.rfind(" — "), phrase.rfind(" -- "))
    if dateline >= 0:
        start += dateline + 3
        phrase = text[start:end]
    # The subject is the last clause of the stretch: after a comma or an introductory phrase.
    cut = max(phrase.rfind(", "), phrase.rfind("; "))
    if cut >= 0 and len(phrase[cut + 2 :].split()) >= 1:
        start += cut + 2
        phrase = text[start:end]
    intro = re.match(r"(?:In|On|At|During|After|Before|Since|Last|This|Earlier|Later|But|And|However|Meanwhile)"
                     r"\b[^,]{0,60},\s*", phrase)
    if intro:
        start += intro.end()
        phrase = text[start:end]
    phrase = phrase.strip()
    participle = re.search(r"\s+[a-z]+ing\b", phrase)
    if participle and participle.start() > 0:
        phrase = phrase[: participle.start()]
    if not phrase:
        return None
    words = phrase.split()
    if len(words) > 8 or phrase.lower() in _NOT_SPEAKERS_EN or words[-1].lower() in _NOT_SPEAKERS_EN:
        return None
    if not (words[0][0].isupper() or words[0].lower() in ("the", "a", "an", "its", "his", "her", "their")):
        return None
    # A verb inside the phrase means we took a clause, not a noun phrase.
    if any(w.lower() in ("is", "are", "was", "were", "be", "been", "will", "would", "could", "should", "that",
                         "not", "never", "does", "did", "do", "if", "whether")
           for w in words):
        return None
    offset = text.index(phrase, start)
    return offset, offset + len(phrase)


# A time phrase between a verb of saying and its clause: "said on Friday they had found…".
_EN_WHEN = re.compile(r",?\s+(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|[A-Z][a-z]+\s+\d{1,2})"
                      r"|last\s+(?:week|month|year|night)|yesterday|today|on\s+Friday\s+night)(?=[\s,])")
_EN_FINITE = re.compile(r"\b(?:is|are|was|were|had|has|have|would|will|could|can|should|may|might|must|did|does|"
                        r"\w{3,}ed)\b")


def _bare_lower_clause(after: str) -> re.Match[str] | None:
    """A reported clause that starts with a lower-case word ("said strong demand was…", "said crushing
    dissent was…"): accepted when a finite verb follows within the next few words."""
    m = re.match(r"\s+(?=[a-z][a-z-]+\s)", after)
    if m is None or re.match(r"\s+(?:so|nothing|goodbye|hello|yes|no|sorry|thanks|as|and|but|or|about|for|with|"
                             r"from|after|before|he|she|they|we|it)\b", after):
        return None
    window = " ".join(after[m.end() :].split()[:8])
    return m if _EN_FINITE.search(window) else None


def english_frames(text: str) -> Iterator[Frame]:
    """Attribution frames of English text, in text order."""
    for m in re.finditer(rf"\b({_VERB_EN})\b", text):
        verb = m.group(1)
        sentence_start = _sentence_start_en(text, m.start())
        speaker = _en_speaker(text, sentence_start, m.start())
        if speaker is None:
            continue
        after = text[m.end() : m.end() + 120]
        stance = stance_of(verb)
        if stance == "calls_for":
            content_start = m.end() + (len(after) - len(after.lstrip()))
            method = "claims:call"
        else:
            bridge = _EN_BRIDGE.match(after)
            if bridge:
                content_start = m.end() + bridge.end()
                method = "claims:that"
            elif verb.lower() in ("say", "says", "said", "believe", "believes", "argue", "argues", "claim",
                                  "claims", "insist", "insists", "estimate", "estimates", "estimated"):
                when = _EN_WHEN.match(after)
                rest = after[when.end() :] if when else after
                clause = _EN_CLAUSE_START.match(rest) or _bare_lower_clause(rest)
                if clause is None or re.match(r"\s+(?:to|it\s+was|in|on|at|by|of)\b", rest):
                    continue
                content_start = m.end() + (when.end() if when else 0) + clause.end()
                method = "claims:bare-clause"
            else:
                continue
        if "\n" in text[m.end() : content_start]:
            continue  # a headline's "estimates" is not a verb of saying for the next paragraph
        end_match = _SENTENCE_END_EN.search(text, content_start, content_start + MAX_CONTENT)
        if end_match is None:
            continue
        cs, ce = _trim(text, content_start, end_match.start())
        nested = text.find(", according to", cs, ce)
        if nested > cs:
            ce = nested
        if len(text[cs:ce].split()) < 3:
            continue
        s, e = speaker
        yield Frame(text[s:e], s, e, verb, stance_of(verb, text[cs:ce]), cs, ce, method)
    yield from _according_en(text)
    yield from _trailing_en(text)
    yield from _inverted_en(text)
    yield from _direct_en(text)


_DIRECT_EN = re.compile(r"[“\"]([^“”\"\n]{8,3000}?)[,.!?]?[”\"]")
_NP_EN = r"((?:the\s+|The\s+|a\s+|A\s+)?[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,4})"


def _direct_en(text: str) -> Iterator[Frame]:
    """Direct quotes with their speaker after (“…,” the commission said) or before (X said: “…”)."""
    for m in _DIRECT_EN.finditer(text):
        after = re.match(rf",?\s*{_NP_EN}\s+({_VERB_EN})\b", text[m.end() : m.end() + 80])
        if after and after.group(1).lower() not in _NOT_SPEAKERS_EN | _PRONOUNS_EN:
            s = m.end() + after.start(1)
            e = m.end() + after.end(1)
            yield Frame(text[s:e], s, e, after.group(2), stance_of(after.group(2), m.group(1)), m.start(1),
                        m.start(1) + len(m.group(1)), "claims:direct-after")
            yield from _adding_en(text, m.end() + after.end(), (s, e))
            continue
        before = re.search(rf"{_NP_EN}\s+({_VERB_EN})\s*[:,]\s*$", text[max(0, m.start() - 80) : m.start()])
        if before and before.group(1).lower() not in _NOT_SPEAKERS_EN:
            base = max(0, m.start() - 80)
            s, e = base + before.start(1), base + before.end(1)
            yield Frame(text[s:e], s, e, before.group(2), stance_of(before.group(2), m.group(1)), m.start(1),
                        m.start(1) + len(m.group(1)), "claims:direct-before")


_INVERTED_EN = re.compile(r"[,”\"]\s*(said|says|told|added|wrote)\s+((?:the\s+)?[A-Za-z][^.,;:\n]{1,120})")
_TITLE_RUN = re.compile(r"(?:[A-Z][\w'.-]*\s+){0,3}[A-Z][\w'.-]*$")


def _inverted_en(text: str) -> Iterator[Frame]:
    """``…, said Erin Purcell of Reagan Communications.`` — the speaker follows the verb; with a title in front
    ("said Pirelli chairman Marco Provera") the person's name, the last capitalised run, is the speaker."""
    for m in _INVERTED_EN.finditer(text):
        phrase = re.split(r"\s+(?:of|from|at|who|which|about|in|on|after|before|as|to)\s+", m.group(2))[0].rstrip()
        run = _TITLE_RUN.search(phrase)
        if run is None or phrase.split()[0].lower() in _NOT_SPEAKERS_EN | _PRONOUNS_EN:
            continue
        if phrase[0].islower() and (run.start() == 0 or not re.match(r"(?:the\s+)?[a-z]+(?:\s+[a-z]+){0,5}\s+$",
                                                                      phrase[: run.start()])):
            continue  # "…, said goodbye", "said it was…": no title-then-name after the verb
        if run.start() > 0 and re.search(r"\b[a-z]", phrase[: run.start()]):
            phrase = phrase[run.start() :]  # "Pirelli SpA chairman and chief executive officer Marco Provera"
        s = m.start(2) + m.group(2).index(phrase)
        sentence_start = _sentence_start_en(text, m.start())
        cs, ce = _trim(text, sentence_start, m.start() + 1)
        if len(text[cs:ce].split()) >= 4:
            yield Frame(phrase, s, s + len(phrase), m.group(1), stance_of(m.group(1), text[cs:ce]), cs, ce,
                        "claims:inverted")


def _adding_en(text: str, after: int, speaker: tuple[int, int]) -> Iterator[Frame]:
    """``…, adding that police had not ruled out…``: a second claim by the same speaker, to the sentence end."""
    end_match = _SENTENCE_END_EN.search(text, after, after + MAX_CONTENT)
    if end_match is None:
        return
    m = re.search(r",\s+(adding|saying|noting|warning)\s+(?:that\s+)?", text[after : end_match.start()])
    if m is None:
        return
    cs, ce = _trim(text, after + m.end(), end_match.start())
    if len(text[cs:ce].split()) >= 3:
        s, e = speaker
        verb = {"adding": "added", "saying": "said", "noting": "noted", "warning": "warned"}[m.group(1)]
        yield Frame(text[s:e], s, e, verb, stance_of(verb, text[cs:ce]), cs, ce, "claims:adding")


def _according_en(text: str) -> Iterator[Frame]:
    """``according to X, …`` and ``…, according to X.``"""
    for m in re.finditer(r"\b[Aa]ccording to\s+((?:the\s+)?[^,.;]{2,60}?)(,|\.(?=\s|$))", text):
        s, e = m.start(1), m.end(1)
        if m.group(2) == ",":
            end_match = _SENTENCE_END_EN.search(text, m.end(), m.end() + MAX_CONTENT)
            if end_match is None:
                continue
            cs, ce = _trim(text, m.end(), end_match.start())
        else:
            sentence_start = _sentence_start_en(text, m.start())
            cs, ce = _trim(text, sentence_start, m.start())
            # "X reported that …, according to Y": the content is what follows "that".
            inner = re.search(rf"\b(?:{_VERB_EN})\b(?:\s+[\w.,\- ]{{0,40}}?)?\s+that\s+", text[cs:ce])
            if inner:
                cs += inner.end()
        if len(text[cs:ce].split()) >= 3:
            yield Frame(text[s:e], s, e, "according to", stance_of("", text[cs:ce]), cs, ce, "claims:according")


def _trailing_en(text: str) -> Iterator[Frame]:
    """``…, officials said.`` — the statement precedes its (unnamed) attribution."""
    for m in re.finditer(rf",\s+((?:the\s+|The\s+)?[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){{0,3}})\s+({_ASSERT_EN})"
                         rf"(?:\s+on\s+\w+)?\s*[.]", text):
        sentence_start = _sentence_start_en(text, m.start())
        cs, ce = _trim(text, sentence_start, m.start())
        if len(text[cs:ce].split()) >= 3 and m.group(1).lower() not in _NOT_SPEAKERS_EN:
            yield Frame(m.group(1), m.start(1), m.end(1), m.group(2), stance_of(m.group(2), text[cs:ce]), cs, ce,
                        "claims:trailing")


def _zh_verb_ok(simplified: str, start: int, verb: str) -> bool:
    before = simplified[start - 1 : start] if start else ""
    after = simplified[start + len(verb) : start + len(verb) + 1]
    return not (before and before in _ZH_NOT_VERB_BEFORE.get(verb, "")) and not (
        after and after in _ZH_NOT_VERB_AFTER.get(verb, ""))


_ZH_NEGATION = re.compile(r"没有|沒有|未|不|并非|並非|无|無")
_ZH_SPEAKER_HEADS = ("组织", "机构", "委员会", "政府", "法庭", "媒体", "人士", "人员", "官员", "报告", "研究", "数据",
                     "网站", "部门", "大使馆", "领事馆", "当局", "医院", "协会", "学会", "发言人", "作者", "记者",
                     "统计", "调查", "资料", "消息", "分析", "评论", "文章", "社论", "声明", "公报", "白皮书", "专家",
                     "书记", "主席", "总理", "部长", "局长", "市长", "省长", "院长", "所长", "主任", "总统", "外长")
# "精辟地指出", "诚如董建华所说": an adverbial before the verb, a 所 before it, a 如 in front of the speaker.
_ZH_ADVERBIAL = re.compile(r"(?:[\u4e00-\u9fff]{2}地|所)$")
_ZH_AS = re.compile(r"^(?:诚如|正如|恰如|如同|就像|如)")
_ZH_ANAPHORA = ("此", "这", "其", "他", "她", "他们", "她们", "并", "还", "也")
_ZH_SPEAKER_TAGS = ("n", "nr", "ns", "nt", "nz", "vn", "r", "j", "eng", "nrt", "nrfg")


def _zh_speaker_ok(phrase: str) -> bool:
    """A Chinese speaker is a noun phrase: no negation, no trailing particle, and its last word a noun."""
    if _ZH_NEGATION.search(phrase) or phrase.endswith(("的", "了", "着", "地")):
        return False
    if phrase in _ZH_ANAPHORA or phrase.startswith(("在", "于", "对")):
        return True  # resolved to an earlier speaker by the caller
    from organwatch.extract.chinese import pos_words

    if phrase.endswith(_ZH_SPEAKER_HEADS):
        return True
    words = pos_words(phrase)
    return bool(words) and words[-1].flag.startswith(_ZH_SPEAKER_TAGS)


# Verbs whose content may follow with no comma (否认死刑犯是…, 称等待…).
_BARE_CONTENT_ZH = frozenset([*_CALL_ZH.split("|"), *_DENY_ZH.split("|"), "称", "表示", "认为", "估计", "指出", "透露",
                              "强调"])


def chinese_frames(text: str, simplified: str) -> Iterator[Frame]:
    """Attribution frames of Chinese text; ``simplified`` is ``text`` in simplified script, same length."""
    for m in re.finditer(_VERB_ZH, simplified):
        verb = m.group(0)
        if not _zh_verb_ok(simplified, m.start(), verb):
            continue
        # The speaker: from the last clause boundary to the verb, cut before adverbials (在北京对记者…).
        floor = max(0, m.start() - 60)
        begin = floor
        for i in range(m.start() - 1, floor - 1, -1):
            if simplified[i] in _ZH_BOUNDARY:
                begin = i + 1
                break
        else:
            if floor > 0:
                continue
        phrase = simplified[begin : m.start()]
        reported_by = phrase.startswith("据")
        if reported_by:
            begin += 1
            phrase = phrase[1:]
        cut = _ZH_CUT.search(phrase, 1)
        end = begin + (cut.start() if cut else len(phrase))
        speaker = text[begin:end].strip()
        lead = re.match(r"(?:但是|但|而且|而|并且|并|且|和|同时|此外|另外|不过)", simplified[begin:end])
        if lead and end - begin > lead.end():
            begin += lead.end()
            speaker = text[begin:end].strip()
        adverbial = _ZH_ADVERBIAL.search(simplified, begin, end)
        if adverbial and adverbial.start() > begin:
            end = adverbial.start()
        as_ = _ZH_AS.match(simplified[begin:end])
        if as_ and end - begin > as_.end():
            begin += as_.end()
        speaker = text[begin:end].strip()
        bare = re.sub(r"[（(][^）)]*[）)]", "", simplified[begin:end])
        if not speaker or len(bare) > 24 or not _zh_speaker_ok(bare):
            continue
        if simplified[m.end() : m.end() + 1] in "和与、的及":
            continue  # the word is a noun here (估计和结论)
        follow = simplified[m.end() : m.end() + 2]
        # 告诉调查人员，… : the person told comes between the verb and the comma.
        told = re.match(r"[^，。；：“”,:;]{1,10}[，,：:]", simplified[m.end() : m.end() + 12]) if verb == "告诉" \
            else None
        if told:
            content_start = m.end() + told.end()
        elif follow[:1] in "，,：:":
            content_start = m.end() + 1
        elif verb in _BARE_CONTENT_ZH:
            content_start = m.end()
        else:
            continue
        end_match = _SENTENCE_END_ZH.search(simplified, content_start, content_start + MAX_CONTENT)
        content_end = end_match.start() if end_match else min(len(text), content_start + MAX_CONTENT)
        if end_match is None and content_end < len(text):
            continue
        cs, ce = _trim(text, content_start, content_end)
        if ce - cs < 2:
            continue
        yield Frame(speaker, begin, begin + len(speaker), verb, stance_of(verb, text[cs:ce]), cs, ce,
                    "claims:zh-reported-by" if reported_by else "claims:zh-verb")
