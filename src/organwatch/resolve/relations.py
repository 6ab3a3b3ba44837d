"""Relations between actors read from sentences, in English and Chinese, each citing its span.

Typed as FollowTheMoney interval schemata: ``Occupancy`` (a person holds a ``Position``: "vice mayor of
Chongqing", 重庆市副市长), ``Membership`` (Politburo Standing Committee), ``Employment`` (a surgeon at a
hospital), ``Associate`` (right-hand man, protégé, patron, cronies; 心腹, 亲信, 靠山) and ``UnknownLink``
(organisational hierarchy: "under the direct leadership of", 在……领导下; "part of"). Rules are deliberately
narrow: a relation nobody can cite is worse than a missed one. Subjects are the person mentions nearest the
phrase, skipping a name that is itself the object of "of"; "he"/"他" stands for the last person named before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from organwatch.resolve.merge import DocumentIn, LocalEntity
from organwatch.resolve.names import has_han
from organwatch.resolve.sentences import sentence_spans
from organwatch.text.chinese import to_simplified_aligned

_ROLE_EN = (r"(?:(?:former|then|later|earlier|first|acting)\s+)?(?:(?:executive\s+)?(?:vice|deputy)[\s-]+)?"
            r"(?:(?:communist\s+)?party\s+(?:chief|secretary)|police\s+chief|mayor|governor|minister|director|"
            r"chief|head|secretary|president|chairman|spokes(?:man|person|woman)|commissioner|judge)")
_POSITION_EN = re.compile(
    rf"\b(?P<role>{_ROLE_EN})\s+(?:of|at|for)\s+(?P<org>(?:the\s+)?[A-Z0-9a-z][\w'’ .-]*?"
    r"(?:\s+in\s+[A-Z][\w'’-]*(?:\s+(?:City|Province|County))?)?)"
    r"(?=\s*[,.;:)]|\s+(?:from|since|until|in|at|between|and|who|when|under|for|after|before)\b|\s*$)", re.I)
_MEMBER_EN = re.compile(r"\bmember\s+of\s+(?P<org>(?:the\s+)?[A-Z][\w'’ -]*?)(?=\s*[,.;:)]|\s+(?:from|since|until|"
                        r"in|and|who|when|was|under)\b|\s*$)")
_ASSOCIATE_EN = re.compile(r"\b(?P<role>right[- ]hand\s+man|protégé|protege|patron|cron(?:y|ies)|confidant|ally|"
                           r"allies|henchman|mentor)\s+(?:of|to)\s+", re.I)
_ASSOCIATE_POSS_EN = re.compile(r"['’]s\s+(?P<role>right[- ]hand\s+man|protégé|protege|patron|cron(?:y|ies)|"
                                r"confidant|ally|henchman|mentor)\b", re.I)
_LEADERSHIP_EN = re.compile(r"\bunder\s+the\s+(?:direct\s+)?(?:leadership|control|command|authority)\s+of\s+", re.I)
_PART_EN = re.compile(r"\b(?:is|was|as)\s+(?:a\s+)?(?:part|department|unit|division|branch)\s+of\s+|"
                      r"\b(?:inside|within)\s+", re.I)
_EMPLOY_EN = re.compile(r"\b(?:a|an|the)?\s*(?P<role>(?:\w+\s+)?(?:surgeon|doctor|physician|nurse|researcher|"
                        r"professor|lawyer|official|officer|employee))\s+(?:at|of|in|with)\s+", re.I)
_WORK_EN = re.compile(r"\bworked\s+(?:at|for)\s+", re.I)

_TITLE_ZH = (r"(?:副?市长|副?省长|副?部长|副?局长|副?厅长|副?书记|副?主任|副?院长|副?主席|总理|常委|委员|"
             r"负责人|政委|所长|总监)")
_POSITION_ZH_CLAUSE = re.compile(rf"^(?:(?P<year>\d{{4}})年(?:\d{{1,2}}月)?)(?:起)?(?:任|担任|出任|升任|调任|兼任|就任)"
                                 rf"(?P<pos>[^，。；、,;]{{1,24}}?{_TITLE_ZH})")
_POSITION_ZH_AFTER = re.compile(rf"^(?:曾|曾经|后|后来|先后|于|当时|时)?(?:(?P<year>\d{{4}})年(?:\d{{1,2}}月)?)?"
                                rf"(?:起)?(?:任|担任|出任|升任|调任|兼任|就任|曾任)(?P<pos>[^，。；、,;]{{1,24}}?{_TITLE_ZH})")
_POSITION_ZH_BEFORE = re.compile(rf"(?P<pos>[\u4e00-\u9fff]{{2,20}}?{_TITLE_ZH})$")
_MEMBER_ZH = re.compile(r"(?:成为|是|任|当选为?|进入)(?P<org>中共中央政治局常委会?|中央政治局常委会?|政治局常委会?|"
                        r"中央政治局|政治局|中央委员会|中央委员)")
_ASSOCIATE_ZH = re.compile(r"^(?:被视为|被认为是|是|为|成为|被称为)(?P<obj>.{0,12}?)的"
                           r"(?P<role>心腹|亲信|得力助手|门生|爪牙|红人|靠山|恩主|左右手|嫡系)")
_LEADERSHIP_ZH = re.compile(r"(?:在|受)(?P<obj>[^，。；]{2,20}?)的?(?:直接)?(?:领导|指挥|管辖)")
_PRONOUN_EN = re.compile(r"\b(?:he|she|his|her)\b", re.I)
_PRONOUN_ZH = re.compile(r"他|她")
_YEAR_RANGE = re.compile(r"\bfrom\s+(?:\w+\s+)?(?P<s>\d{4})(?:\s+(?:to|until|till|through)\s+(?:\w+\s+)?(?P<e>\d{4}))?"
                         r"|\bsince\s+(?:\w+\s+)?(?P<since>\d{4})|\buntil\s+(?:\w+\s+)?(?P<until>\d{4})"
                         r"|\bin\s+(?:\w+\s+)?(?P<in>\d{4})\b|(?P<zh>\d{4})年")
_ROLE_WORDS_PATRON = {"patron", "mentor", "靠山", "恩主"}


@dataclass
class Relation:
    """One relation read from a document, with the span that says it.

    ``subject``/``object`` are local entity names in the document; ``position`` names the post of an
    ``Occupancy`` (its object is the organisation or place named in the post, when one is).
    """

    document_id: int
    schema: str
    subject: tuple[str, str]  # (type, local name)
    object: tuple[str, str] | None
    position: str | None
    role: str | None
    start_date: str | None
    end_date: str | None
    start: int
    end: int
    text: str
    method: str


def _mentions_in(locals_: list[LocalEntity], start: int, end: int, kind: str | None = None
                 ) -> list[tuple[int, int, LocalEntity]]:
    found = [(s, e, loc) for loc in locals_ for s, e in loc.spans if start <= s and e <= end
             and (kind is None or loc.type == kind)]
    return sorted(found, key=lambda t: t[0])


def _dates(text: str) -> tuple[str | None, str | None]:
    match = _YEAR_RANGE.search(text)
    if not match:
        return None, None
    if match.group("s"):
        return match.group("s"), match.group("e")
    if match.group("until"):
        return None, match.group("until")
    return match.group("since") or match.group("in") or match.group("zh"), None


class _Reader:
    def __init__(self, doc: DocumentIn, locals_: list[LocalEntity]) -> None:
        self.doc = doc
        self.text = doc.text
        self.zh_text = to_simplified_aligned(doc.text) if has_han(doc.text) else doc.text
        self.locals = [loc for loc in locals_ if not (loc.type == "person" and loc.partial and len(loc.name) < 2)]
        self.relations: list[Relation] = []
        self.last_person: LocalEntity | None = None

    def subject_before(self, s_start: int, pos: int) -> LocalEntity | None:
        """The person named nearest before ``pos`` in the sentence, skipping objects of "of"/"to"/"的"."""
        people = [t for t in _mentions_in(self.locals, s_start, pos, "person")]
        if people and re.fullmatch(r"\s*,\s*(?:the\s+|a\s+|an\s+|then\s+)?", self.text[people[-1][1] : pos]):
            return people[-1][2]  # apposition: "Bo Xilai, the Party chief of Chongqing"
        for start, end, loc in reversed(people):
            before = self.text[max(s_start, start - 4) : start].lower()
            if re.search(r"\b(?:of|to|by|from|with)\s+$", before) or self.text[end : end + 1] == "的":
                continue
            if _PRONOUN_EN.search(self.text[end:pos]) or _PRONOUN_ZH.search(self.text[end:pos]):
                break
            return loc
        between = self.text[s_start:pos]
        if (_PRONOUN_EN.search(between) or _PRONOUN_ZH.search(between)) and self.last_person:
            return self.last_person
        if people:
            return people[0][2]
        return self.last_person if self.last_person and re.match(r"\s*(?:He|She|他|她)", between) else None

    def add(self, schema: str, subject: LocalEntity | None, obj: LocalEntity | None, span: tuple[int, int], *,
            position: str | None = None, role: str | None = None, dates: tuple[str | None, str | None] = (None, None),
            method: str) -> None:
        if subject is None or (obj is None and position is None) or subject is obj:
            return
        start, end = span
        self.relations.append(Relation(self.doc.id, schema, (subject.type, subject.name),
                                       (obj.type, obj.name) if obj else None, position, role, dates[0], dates[1],
                                       start, end, self.text[start:end], method))

    def object_in(self, start: int, end: int, kinds: tuple[str, ...]) -> LocalEntity | None:
        for _, _, loc in _mentions_in(self.locals, start, end):
            if loc.type in kinds:
                return loc
        return None

    def first_after(self, pos: int, limit: int, kinds: tuple[str, ...]) -> tuple[LocalEntity | None, int]:
        for start, end, loc in _mentions_in(self.locals, pos, limit):
            if loc.type in kinds and start - pos <= 6:
                return loc, end
        return None, pos

    def read(self) -> list[Relation]:
        for s_start, s_end in sentence_spans(self.text):
            self.sentence(s_start, s_end)
            people = _mentions_in(self.locals, s_start, s_end, "person")
            if people:
                self.last_person = people[0][2]
        return self.relations

    def sentence(self, s_start: int, s_end: int) -> None:
        text = self.text
        sent = text[s_start:s_end]
        for m in _POSITION_EN.finditer(sent):
            start, end = s_start + m.start(), s_start + m.end()
            subject = self.subject_before(s_start, start)
            if subject is None:
                later = _mentions_in(self.locals, end, s_end, "person")
                subject = later[0][2] if later and later[0][0] - end <= 3 else None
            role = re.sub(r"^(?:former|then|later|earlier)\s+", "", m.group("role"), flags=re.I)
            org = re.sub(r"^the\s+", "", m.group("org"), flags=re.I)
            position = f"{role} of {org}"
            obj = self.object_in(s_start + m.start("org"), end, ("organization", "place"))
            following = sent[m.end() : m.end() + 40]
            self.add("Occupancy", subject, obj, (start, end), position=position[:1].upper() + position[1:],
                     dates=_dates(following), method="relations:en-position")
        for m in _MEMBER_EN.finditer(sent):
            start, end = s_start + m.start(), s_start + m.end()
            obj = self.object_in(s_start + m.start("org"), end, ("organization",))
            self.add("Membership", self.subject_before(s_start, start), obj, (start, end),
                     position=None if obj else re.sub(r"^the\s+", "", m.group("org")), role="member",
                     dates=_dates(sent[m.end() : m.end() + 40]), method="relations:en-member")
        for m in _ASSOCIATE_EN.finditer(sent):
            start = s_start + m.start()
            obj, obj_end = self.first_after(s_start + m.end(), s_end, ("person",))
            role = m.group("role").lower()
            self.add("Associate", self.subject_before(s_start, start), obj, (start, max(obj_end, start)),
                     role=role, method="relations:en-associate")
        for m in _ASSOCIATE_POSS_EN.finditer(sent):
            owner = _mentions_in(self.locals, s_start, s_start + m.start(), "person")
            if not owner or owner[-1][1] != s_start + m.start():
                continue
            after = _mentions_in(self.locals, s_start + m.end(), s_end, "person")
            subject = after[0][2] if after and after[0][0] - (s_start + m.end()) <= 4 else \
                self.subject_before(s_start, owner[-1][0])
            self.add("Associate", subject, owner[-1][2], (owner[-1][0], s_start + m.end()),
                     role=m.group("role").lower(), method="relations:en-associate")
        for m in _LEADERSHIP_EN.finditer(sent):
            start = s_start + m.start()
            obj, obj_end = self.first_after(s_start + m.end(), s_end, ("organization", "person"))
            subjects = [t for t in _mentions_in(self.locals, s_start, start) if t[2].type == "organization"]
            self.add("UnknownLink", subjects[0][2] if subjects else None, obj, (start, max(obj_end, start)),
                     role="under the direct leadership of", method="relations:en-hierarchy")
        for m in _PART_EN.finditer(sent):
            start = s_start + m.start()
            obj, obj_end = self.first_after(s_start + m.end(), s_end, ("organization",))
            subjects = [t for t in _mentions_in(self.locals, s_start, start) if t[2].type == "organization"]
            if subjects and obj:
                self.add("UnknownLink", subjects[-1][2], obj, (subjects[-1][0], obj_end), role="part of",
                         method="relations:en-part-of")
        for m in list(_EMPLOY_EN.finditer(sent)) + list(_WORK_EN.finditer(sent)):
            start = s_start + m.start()
            obj, obj_end = self.first_after(s_start + m.end(), s_end, ("organization",))
            if obj is None:
                continue
            groups = m.groupdict()
            self.add("Employment", self.subject_before(s_start, start), obj, (start, obj_end),
                     role=(groups.get("role") or "employee").strip().lower(), method="relations:en-employment")
        self.sentence_zh(s_start, s_end)

    def sentence_zh(self, s_start: int, s_end: int) -> None:
        text = self.zh_text
        if not has_han(text[s_start:s_end]):
            return
        for clause in re.finditer(r"[^，。；;,]+", text[s_start:s_end]):
            c_start = s_start + clause.start()
            m0 = _POSITION_ZH_CLAUSE.match(clause.group())
            if m0 and not _mentions_in(self.locals, c_start, c_start + m0.start("pos"), "person"):
                subject = self.subject_before(s_start, c_start) or self.last_person
                pos = self.text[c_start + m0.start("pos") : c_start + m0.end("pos")]
                obj = self.object_in(c_start + m0.start("pos"), c_start + m0.end("pos"), ("organization", "place"))
                self.add("Occupancy", subject, obj, (c_start, c_start + m0.end()), position=pos,
                         dates=(m0.group("year"), None), method="relations:zh-position")
        for m in _MEMBER_ZH.finditer(text, s_start, s_end):
            obj = self.object_in(m.start("org"), m.end("org"), ("organization",))
            subject = self.subject_before(s_start, m.start())
            self.add("Membership", subject, obj, (m.start(), m.end()), position=None if obj else m.group("org"),
                     role="member", method="relations:zh-member")
        people = _mentions_in(self.locals, s_start, s_end, "person")
        for p_start, p_end, person in people:
            clause_end = p_end
            while clause_end < s_end and text[clause_end] not in "，。；;,":
                clause_end += 1
            tail = text[p_end:clause_end]
            after = _POSITION_ZH_AFTER.match(tail)
            if after:
                m = after
                pos = re.sub(r"^(?:时任|時任|原|前)", "", self.text[p_end + m.start("pos") : p_end + m.end("pos")])
                obj = self.object_in(p_end + m.start("pos"), p_end + m.end("pos"), ("organization", "place"))
                year = m.group("year") or self._year_before(s_start, p_start)
                self.add("Occupancy", person, obj, (p_start, p_end + m.end()), position=pos, dates=(year, None),
                         method="relations:zh-position")
            clause_start = p_start
            while clause_start > s_start and text[clause_start - 1] not in "，。；;,的":
                clause_start -= 1
            head = text[clause_start:p_start]
            m2 = _POSITION_ZH_BEFORE.search(head)
            if m2 and not re.search(r"[任是为]$", head):
                raw = self.text[clause_start + m2.start("pos") : clause_start + m2.end("pos")]
                pos = re.sub(r"^(?:\d{4}年\d{0,2}月?\d{0,2}日?)?(?:时任|時任|原|前|现任|曾任)?", "", raw)
                if len(pos) >= 3:
                    obj = self.object_in(clause_start + m2.start("pos"), p_start, ("organization", "place"))
                    self.add("Occupancy", person, obj, (clause_start + m2.start("pos"), p_end), position=pos,
                             method="relations:zh-title")
            m4 = _ASSOCIATE_ZH.match(tail)
            if m4:
                obj_start = p_end + m4.start("obj")
                obj_loc = self.object_in(obj_start, p_end + m4.end("obj"), ("person",))
                if obj_loc is None and _PRONOUN_ZH.search(m4.group("obj")):
                    obj_loc = self.last_person
                role = m4.group("role")
                self.add("Associate", person, obj_loc, (p_start, p_end + m4.end()), role=role,
                         method="relations:zh-associate")
        for m in _LEADERSHIP_ZH.finditer(text, s_start, s_end):
            obj = self.object_in(m.start("obj"), m.end("obj"), ("organization", "person"))
            subjects = [t for t in _mentions_in(self.locals, m.end(), s_end) if t[2].type == "organization"]
            if obj and subjects:
                self.add("UnknownLink", subjects[0][2], obj, (m.start(), subjects[0][1]),
                         role="under the direct leadership of", method="relations:zh-hierarchy")

    def _year_before(self, s_start: int, pos: int) -> str | None:
        years = re.findall(r"(\d{4})年", self.text[s_start:pos])
        return years[-1] if years else None


def read_relations(doc: DocumentIn, locals_: list[LocalEntity]) -> list[Relation]:
    """Every relation the rules find in one document (``locals_`` from :func:`.merge.local_entities`)."""
    return _Reader(doc, locals_).read()


def is_patron_role(role: str | None) -> bool:
    """True when the role names the object as the subject's subordinate (the subject is the patron)."""
    return (role or "") in _ROLE_WORDS_PATRON
