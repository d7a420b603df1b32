"""What an achievement's figure counts: its name (the words before it in its clause, or
the noun after it) and its unit (万 before a counted thing is part of the unit, not 万元).
Figures that count nothing achieved (an ordinal, a threshold, a figure restated in
brackets) are told apart here. Used by narrative.py; must not read sections.
"""

from __future__ import annotations

import re
from dataclasses import replace

from service.records.numbers import COUNT_UNITS, Quantity

_NAME_DELIM = "，,、；;。:：(（)）\n"
# Lead-in words before the counted thing: time, subject, adverbs (“2021年以来累计办理…”).
NAME_LEAD = re.compile(
    r"^(?:\d{4}年(?:以来|度)?|第\d{1,3}(?:批次?|期|次|季度|轮|届|阶段)|今年以来|截至目前|目前|全年|年底|年末|本年度|本年|我局|我市|本单位|支队|"
    r"市本级|其中|共计|共|累计|已|并|另|且|合计|总计|全面|共向我市|向我市|全县|全市|全区|全书共|"
    # the action verb before the thing counted (“开展食品安全监督抽检1200批”)
    r"组织(?=开展|实施|举办|召开)|开展|发放|出具|完成(?=\S{3}))+"
)
# Text before a figure that names nothing: a preposition or an example list (“鼎鑫锰业等”).
# (“惠及5.46万名老年人”: the verb names who benefits, the noun after the figure is counted)
_NO_NAME = re.compile(
    r"^(?:对|向|为|给|在|完成|开展|惠及|覆盖|受益|涉及)?(?:全(?:县|市|区|镇|乡|省|州)|辖区内?)?(?:共?有)?$|等$"
)
# The noun after a figure's unit, up to the verb acting on it (“5.46万名老年人发放补贴”).
_AFTER_UNIT = re.compile(
    r"[\u4e00-\u9fffA-Za-z“”\"]{2,14}?"
    r"(?=进行|开展|定期|的|发放|提供|办理|落实|兑现|享受|实施|签订|配备|安装|更换|改造|维修|购买"
    r"|缴纳|接受|参加|参与|开通|，|,|。|；|;|、|$)"
)


def not_a_count(body: str, q: Quantity, previous_end: int) -> bool:
    """A figure that counts nothing achieved: an ordinal, a threshold, a part of a quoted
    name, the figure before stated again in another unit."""
    if body[q.start - 1 : q.start] == "第":
        return True  # an ordinal (“第2批”, “第3期”)
    if q.comparator in ("以上", "以下") and body[q.end : q.end + 1] == "的":
        return True  # a threshold (“10万元以上的案件”)
    if body.count("“", 0, q.start) > body.count("”", 0, q.start):
        return True  # inside quotes: part of a name or slogan (“八个100%”标准)
    # “24400.00元（2.44万元）”: the figure before in another unit
    return bool(previous_end) and bool(re.fullmatch(r"\s*[(（]\s*", body[previous_end : q.start]))


def wan_count(body: str, q: Quantity) -> Quantity:
    """“1.2万亩”, “3.6万株”, “30万字”: 万 before a counted unit is part of the unit, not
    万元."""
    if q.original_unit != "万":
        return q
    m = _COUNT_AFTER.match(body, q.end) or _OTHER_COUNT.match(body, q.end)
    if m is None:
        return q
    return replace(q, unit="万" + m.group(0), original_unit=None, end=m.end())


# Things counted after 万 that no count unit names (30万字, 2万盒); never 支 (万支出 is money).
_OTHER_COUNT = re.compile(r"字|首|幅|帧|盒|袋|箱|瓶|枚|剂(?!量)")
# A verb alone before a figure names nothing counted (完成120万页, 接待2300人次).
_BARE_VERB = re.compile(r"完成|接待|开展|办理|实现|举办|组织|受理|处理|发放|共计?|累计")
_COUNT_AFTER = re.compile("|".join(sorted(map(re.escape, COUNT_UNITS), key=len, reverse=True)))


def metric_name(body: str, pos: int, floor: int = 0, end: int | None = None) -> str | None:
    """What a figure counts: the words before it in its clause without lead-ins; when
    those name nothing (“对646家对象…”), the noun right after the figure."""
    i = pos
    while i > floor and body[i - 1] not in _NAME_DELIM:
        i -= 1
    written = re.sub(r"\s+", "", body[i:pos])
    name = NAME_LEAD.sub("", written)
    if 0 < len(name) <= 2 and written.endswith("已" + name):
        name = "已" + name  # “已办结612件”: done so far, not the whole
    name = re.sub(r"(?:达到|达|为|是|约|近|共|了|共计)+$", "", name)
    if _BARE_VERB.fullmatch(name) and i > floor and body[i - 1] in "：:":
        # “档案数字化：完成120万页”: the label before the colon names what is counted
        label = re.search(r"[\u4e00-\u9fff]{2,12}$", body[floor : i - 1])
        name = label.group(0) if label else name
    name = re.sub(r"(?<=\S{2})的$", "", name)  # “较大风险级别的12个”
    if _NO_NAME.search(name) and end is not None:
        served = _served(body, i, pos, end)
        if served:
            return served
        after = _AFTER_UNIT.match(re.sub(r"\s+", "", body[end:]))
        if after:
            return after.group(0)
    return name or None


# “为1128名残疾人提供康复救助”: who is served, then the service; the service names what
# the figure counts (康复救助人数), not the people it was for.
# (“对646家对象进行抽查”: the objects acted on, not people served, keep their noun)
_FOR = re.compile(r"^(?:为|给|帮助|协助)(?:全(?:县|市|区|镇|乡|省|州)|辖区内?)?$")
_SERVICE = re.compile(
    r"[\u4e00-\u9fff]{1,10}?(?:提供|开展|进行|实施|给予|发放|办理)了?(?P<what>[\u4e00-\u9fff]{2,10}?)"
    r"(?=[，,。；;、]|$)"
)
_HEADS = {"名": "人数", "人": "人数", "户": "户数", "家": "家数"}


# “全县3.2万名群众参加医保”: people first, then what they took part in; the taking part
# names the figure (参加医保人数).
_PLACE = re.compile(r"^(?:全(?:县|市|区|镇|乡|省|州)|辖区内?|共有|有)?$")
_TAKING_PART = re.compile(
    r"[\u4e00-\u9fff]{0,8}?(?P<what>(?:参加|参与|接受|享受|获得)了?[\u4e00-\u9fff]{2,10}?)"
    r"(?=[，,。；;、]|$)"
)


def _served(body: str, start: int, pos: int, end: int) -> str | None:
    """The service a figure of people (or households) was given, or what they took part
    in, as its name."""
    lead = NAME_LEAD.sub("", re.sub(r"\s+", "", body[start:pos]))
    after = re.sub(r"\s+", "", body[end:])
    head = _HEADS.get(body[end - 1 : end], "")
    if _FOR.match(lead) and (m := _SERVICE.match(after)):
        return m.group("what") + head
    if head == "人数" and _PLACE.match(lead) and (m := _TAKING_PART.match(after)):
        return m.group("what").replace("了", "", 1) + head
    return None
