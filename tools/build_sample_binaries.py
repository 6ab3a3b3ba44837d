#!/usr/bin/env python3
# ruff: noqa: E501  (the document strings below keep one paragraph per line, as in the built files)
"""Rebuild the non-UTF-8 and binary files of the bundled demo corpus in ``sample/``.

This script is the single source of truth for:

- ``sample/zh/wang-lijun-jinzhou-gb18030.html``   simplified Chinese, GB18030-encoded
- ``sample/zh-hant/china-tribunal-judgment-big5.html``  traditional Chinese, Big5-encoded
- ``sample/en/briefing-2016-update-transplant-capacity.pdf``  English PDF (fpdf2)
- ``sample/archived/sample-hospital-transplant-centre-2006.warc.gz``  WARC (warcio)

The text lives here as ordinary (UTF-8) Python strings and is encoded on write, so the
encodings are never hand-edited. Every date, record id and digest is fixed: running the
script twice gives byte-identical files (``sha256sum`` them to check).

Example:
    .venv/bin/python tools/build_sample_binaries.py          # rebuild into ./sample
    .venv/bin/python tools/build_sample_binaries.py --check  # rebuild in a temp dir, compare

All documents are sample documents written for OrganWatch in its own words from public
facts; see ``sample/README.md``.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample"

SAMPLE_NOTE_EN = "Sample document written for OrganWatch; based on public reporting."

# ---------------------------------------------------------------------------
# Simplified Chinese page, GB18030
# ---------------------------------------------------------------------------

WANG_LIJUN_GB18030_HTML = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="gb18030">
<title>王立军：从锦州“现场心理研究中心”到美国驻成都总领事馆 - 示例时报</title>
<meta name="author" content="周明远">
<meta property="og:site_name" content="示例时报（OrganWatch 示例媒体）">
<meta property="og:type" content="article">
<meta property="og:title" content="王立军：从锦州“现场心理研究中心”到美国驻成都总领事馆">
<meta property="article:published_time" content="2012-02-10T08:00:00+08:00">
<!-- Sample document written for OrganWatch; based on public reporting. Encoded in GB18030. -->
</head>
<body>
<div class="header">
  <a class="logo" href="/">示例时报</a>
  <ul class="nav">
    <li><a href="/china/">中国</a></li>
    <li><a href="/world/">国际</a></li>
    <li><a href="/opinion/">评论</a></li>
    <li><a href="/archive/">往期</a></li>
  </ul>
</div>

<div class="article">
<h1>王立军：从锦州“现场心理研究中心”到美国驻成都总领事馆</h1>
<p class="info">本报记者 周明远 ｜ 2012年2月10日</p>

<p>重庆市副市长王立军本周一（2月6日）进入美国驻成都总领事馆，次日离开。美国国务院证实，王立军曾要求在领事馆会面，之后自行离开，但没有透露谈话内容。</p>

<p>重庆市政府新闻办公室2月8日对外通报称，王立军因长期超负荷工作、身体不适，目前正在接受“休假式的治疗”。上周，重庆方面宣布王立军不再兼任市公安局局长，改为分管教育、科技和环保等方面工作。</p>

<p>王立军生于1959年，早年在辽宁铁岭、锦州等地公安系统任职。2008年，他调任重庆，此后主持重庆公安工作，因配合时任重庆市委书记薄熙来推动“打黑”行动而广为人知；2011年5月，他出任重庆市副市长。</p>

<h2>锦州时期</h2>

<p>在担任锦州市公安局局长期间，王立军还是该局“现场心理研究中心”的负责人。据人权研究者事后整理的中文公开资料，这个中心的研究内容涉及器官移植。</p>

<h2>2006年获奖演讲摘要</h2>

<p>2006年，王立军获得光华科技基金会颁发的一项创新奖。根据人权研究者转载的演讲文本，他在致辞中谈到，相关研究建立在数千例现场器官移植案例之上。关注中国器官来源问题的研究人员认为，这篇演讲表明，警方曾参与和死刑犯器官移植有关的工作。</p>

<p>在香港从事中国法律研究的学者林晓岚说：“一位公安局长在公开场合谈论这种研究，本身就说明当时很多人并不觉得这件事需要回避。”她认为，锦州时期的档案是理解这段历史的关键。</p>

<p>截至发稿时，本报未能联系到王立军本人或重庆市有关部门置评。</p>
</div>

<div class="footer">
  <p>示例时报 版权所有 ｜ <a href="/about/">关于我们</a> ｜ <a href="/contact/">联系我们</a></p>
  <p class="organwatch-note">本文为 OrganWatch 撰写的示例文档，依据公开报道，以自己的文字写成。示例时报、记者周明远及受访学者林晓岚均为虚构；王立军、薄熙来、重庆市政府新闻办的通报和2006年获奖演讲均为真实材料，文中对演讲内容的描述均注明出处。Sample document written for OrganWatch; based on public reporting.</p>
  <p class="organwatch-sources">资料来源（Sources）：美国国务院新闻发布会（2012年2月8日）；重庆市政府新闻办公室通报（2012年2月8日）；王立军2006年光华科技基金会获奖演讲（人权研究者转载的文本）；成都市中级人民法院对王立军案的判决（2012年9月24日）。</p>
</div>
</body>
</html>
"""

# ---------------------------------------------------------------------------
# Traditional Chinese page, Big5 (only characters Big5 can encode)
# ---------------------------------------------------------------------------

TRIBUNAL_BIG5_HTML = """<!DOCTYPE html>
<html lang="zh-Hant">
<head>
<meta charset="big5">
<title>「中國裁判所」在倫敦宣判：認定強制摘取良心犯器官 - 範例新聞網</title>
<meta name="author" content="陳家敏">
<meta property="og:site_name" content="範例新聞網（OrganWatch 樣本媒體）">
<meta property="og:type" content="article">
<meta property="og:title" content="「中國裁判所」在倫敦宣判：認定強制摘取良心犯器官">
<meta property="article:published_time" content="2019-06-18T09:00:00+08:00">
<!-- Sample document written for OrganWatch; based on public reporting. Encoded in Big5. -->
</head>
<body>
<div id="masthead">
  <a href="/">範例新聞網</a>
  <div class="menu">
    <a href="/news/">即時新聞</a> ｜ <a href="/intl/">國際</a> ｜ <a href="/china/">兩岸</a> ｜ <a href="/health/">醫療</a>
  </div>
</div>

<div id="story">
<h1>「中國裁判所」在倫敦宣判：認定強制摘取良心犯器官</h1>
<p class="byline">記者 陳家敏 ／ 綜合報導 ／ 2019年6月18日</p>

<p>由英國御用大律師傑弗里·尼斯爵士（Sir Geoffrey Nice）擔任主席的獨立民間調查機構「中國裁判所」（China Tribunal），昨日（6月17日）在倫敦宣佈裁決。裁判所表示，七名成員一致認定，並以「排除合理懷疑」的刑事證明標準作出結論：中國強制摘取良心犯器官的行為已持續多年，規模相當大。</p>

<p>根據裁決摘要，法輪功學員很可能是器官的主要來源。裁判所也表示收到證據，顯示在新疆被拘押的維吾爾人曾被進行醫學檢測，但並未就維吾爾人是否已被用作器官來源作出結論。</p>

<p>裁判所去年12月和今年4月在倫敦舉行公開聽證，聽取證人、醫學專家和調查人員的陳述。這項調查由「終止中國移植濫用國際聯盟」（ETAC）發起，裁判所表示其審議過程獨立進行。</p>

<p>尼斯爵士曾在前南斯拉夫問題國際刑事法庭主導起訴前南斯拉夫總統米洛塞維奇。</p>

<p>中國政府一向否認相關指控，並表示自2015年1月1日起，移植器官只來自公民自願捐獻。</p>

<h2>背景</h2>

<p>2006年，加拿大前亞太事務國務卿喬高（David Kilgour）與人權律師麥塔斯（David Matas）發表調查報告，估計2000年至2005年間中國約有6萬宗器官移植，其中約4.15萬宗來源無法解釋，佔總數逾三分之二。</p>

<p>在香港研究醫學倫理的學者何慧儀表示：「裁判所不是法院，不能判任何人入獄，但它把說明器官來源的責任，放回醫院、期刊和政府身上。」</p>
</div>

<div id="footer">
  <p>範例新聞網 版權所有 ｜ <a href="/privacy/">隱私權政策</a></p>
  <p class="organwatch-note">本文為 OrganWatch 撰寫的樣本文件，依據公開報導，以自己的文字寫成。範例新聞網、記者陳家敏及受訪學者何慧儀均為虛構；裁判所、其主席、ETAC、喬高與麥塔斯均為真實，其結論以引述方式呈現。Sample document written for OrganWatch; based on public reporting.</p>
  <p class="organwatch-sources">資料來源（Sources）：China Tribunal, Short Form Conclusion and Summary Judgment（倫敦，2019年6月17日）；China Tribunal, Final Judgment（2020年3月1日公佈）；Kilgour &amp; Matas, Report into Allegations of Organ Harvesting of Falun Gong Practitioners in China（2006年7月6日）。</p>
</div>
</body>
</html>
"""

# ---------------------------------------------------------------------------
# WARC: an imaginary hospital transplant centre, captured in April 2006
# ---------------------------------------------------------------------------

HOSPITAL_HOST = "www.sample-hospital.example"

HOSPITAL_INDEX_GBK_HTML = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>示例市第一人民医院 器官移植中心</title>
<!-- Sample document written for OrganWatch; based on public reporting. Imaginary hospital. -->
</head>
<body>
<table width="780" align="center"><tr><td>
<div class="top"><img src="/images/logo.gif" alt="示例市第一人民医院"> 示例市第一人民医院 器官移植中心</div>
<div class="menu"><a href="/transplant/index.html">首页</a> | <a href="/transplant/news/2006-03.html">中心动态</a> | <a href="/transplant/en/international-patients.html">English</a> | <a href="/transplant/contact.html">联系我们</a></div>

<h2>中心简介</h2>
<p>本中心开展肝脏移植、肾脏移植等临床业务，设有移植专科病房和重症监护病房，可为国内外患者提供移植前检查、配型和术后随访服务。</p>

<h2>等待时间</h2>
<p>肝脏移植：患者入院完成检查后，一般等待一至两周即可获得合适供体。</p>
<p>肾脏移植：配型成功后，等待时间一般为一周左右。</p>
<p>外国患者请查阅英文页面或直接与国际部联系。</p>

<div class="foot">版权所有 示例市第一人民医院 2006 ｜ 地址：示例市和平路1号<br>
本页为 OrganWatch 示例文档（虚构医院），依据公开报道以自己的文字写成。资料来源：Kilgour &amp; Matas, Bloody Harvest (2007) 所引用的多家中国医院网站等待时间宣传。</div>
</td></tr></table>
</body>
</html>
"""

HOSPITAL_INTERNATIONAL_HTML = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>International Patients - Transplant Centre, Sample City First People's Hospital</title>
<!-- Sample document written for OrganWatch; based on public reporting. Imaginary hospital. -->
</head>
<body>
<div class="menu"><a href="/transplant/index.html">Chinese</a> | <a href="/transplant/en/international-patients.html">International patients</a></div>
<h1>Information for international patients</h1>
<p>The Transplant Centre of Sample City First People's Hospital welcomes patients from abroad who need liver or kidney transplantation.</p>
<h2>Waiting time</h2>
<ul>
<li>Liver transplantation: usually one to two weeks after admission and examination.</li>
<li>Kidney transplantation: about one week after a successful match.</li>
</ul>
<h2>How to apply</h2>
<p>Please send your medical records, blood type and recent test results to our international office by e-mail or fax. An interpreter will meet you at the airport.</p>
<p class="foot">Copyright 2006 Sample City First People's Hospital.<br>
Sample document written for OrganWatch; based on public reporting. The hospital is imaginary. Sources: waiting-time advertisements of Chinese hospital websites documented in Kilgour &amp; Matas, Bloody Harvest (31 January 2007).</p>
</body>
</html>
"""

HOSPITAL_NEWS_GBK_HTML = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>中心动态：移植病房新楼投入使用 - 示例市第一人民医院</title>
<!-- Sample document written for OrganWatch; based on public reporting. Imaginary hospital; its figures are fictional. -->
</head>
<body>
<div class="menu"><a href="/transplant/index.html">首页</a> | <a href="/transplant/news/2006-03.html">中心动态</a></div>
<h2>移植病房新楼投入使用</h2>
<p class="date">发布时间：2006年3月28日</p>
<p>上月，我院器官移植中心新病房楼正式启用，移植专科床位增加到原来的两倍。中心主任在启用仪式上表示：“新楼启用后，我们每年可以接收更多的国内外患者。”</p>
<p>近年来，随着移植业务迅速增长，中心多次扩建病房，并增设了国际患者服务部。</p>
<div class="foot">本页为 OrganWatch 示例文档（虚构医院，数字与引语均为虚构），依据公开报道以自己的文字写成，用于说明2000年后多家中国医院扩建移植病房的公开报道。资料来源：Kilgour, Gutmann &amp; Matas, Bloody Harvest/The Slaughter: An Update (2016)。</div>
</body>
</html>
"""

WARC_FILENAME = "sample-hospital-transplant-centre-2006.warc.gz"

# (url, body bytes, content-type header, WARC-Date, record uuid)
WARC_PAGES = [
    (
        f"http://{HOSPITAL_HOST}/transplant/index.html",
        HOSPITAL_INDEX_GBK_HTML.encode("gbk"),
        "text/html; charset=GBK",
        "2006-04-18T02:10:00Z",
        "6f0c2a51-3b7e-4c1a-9d2e-000000000001",
    ),
    (
        f"http://{HOSPITAL_HOST}/transplant/en/international-patients.html",
        HOSPITAL_INTERNATIONAL_HTML.encode("utf-8"),
        "text/html; charset=utf-8",
        "2006-04-18T02:10:07Z",
        "6f0c2a51-3b7e-4c1a-9d2e-000000000002",
    ),
    (
        f"http://{HOSPITAL_HOST}/transplant/news/2006-03.html",
        HOSPITAL_NEWS_GBK_HTML.encode("gbk"),
        "text/html; charset=GBK",
        "2006-04-18T02:10:15Z",
        "6f0c2a51-3b7e-4c1a-9d2e-000000000003",
    ),
]

WARCINFO_FIELDS = (
    "software: OrganWatch tools/build_sample_binaries.py (warcio)\r\n"
    "format: WARC File Format 1.1\r\n"
    "description: Sample document written for OrganWatch; based on public reporting. "
    "Imaginary archived hospital site (three pages) illustrating the short transplant "
    "waiting times advertised by several Chinese hospitals in the mid-2000s, as documented "
    "in Kilgour & Matas, Bloody Harvest (2007). The hospital and its figures are fictional.\r\n"
    "isPartOf: organwatch-sample\r\n"
)


def build_warc(path: Path) -> None:
    """Write the WARC with fixed dates and record ids (deterministic)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
        info = writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(WARCINFO_FIELDS.encode("utf-8")),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Record-ID": "<urn:uuid:6f0c2a51-3b7e-4c1a-9d2e-000000000000>",
                "WARC-Date": "2006-04-18T02:09:58Z",
                "WARC-Filename": WARC_FILENAME,
            },
        )
        writer.write_record(info)
        for url, body, content_type, date, uuid in WARC_PAGES:
            http_headers = StatusAndHeaders(
                "200 OK",
                [
                    ("Date", _http_date(date)),
                    ("Server", "Apache/2.0.52 (Unix)"),
                    ("Content-Type", content_type),
                    ("Content-Length", str(len(body))),
                    ("Connection", "close"),
                ],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=http_headers,
                warc_headers_dict={
                    "WARC-Record-ID": f"<urn:uuid:{uuid}>",
                    "WARC-Date": date,
                    "WARC-IP-Address": "192.0.2.10",  # TEST-NET-1: documentation address
                },
            )
            writer.write_record(record)


def _http_date(warc_date: str) -> str:
    moment = datetime.strptime(warc_date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


# ---------------------------------------------------------------------------
# PDF: NGO briefing on the 2016 update (English, core fonts: ASCII/Latin-1 only)
# ---------------------------------------------------------------------------

PDF_TITLE = "Counting capacity: a briefing on the 2016 update on China's transplant volume"
PDF_AUTHOR = "Research Desk, Transplant Ethics Watch"
PDF_DATE = datetime(2016, 7, 15, 9, 0, 0, tzinfo=UTC)

PDF_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "1. Summary",
        [
            "In June 2016 the Canadian former cabinet minister David Kilgour, the American "
            "journalist Ethan Gutmann and the Canadian human rights lawyer David Matas "
            "published 'Bloody Harvest/The Slaughter: An Update'. The update builds on the "
            "reports of Kilgour and Matas (6 July 2006 and, revised as 'Bloody Harvest', "
            "31 January 2007) and on Gutmann's 2014 book 'The Slaughter'.",
            "The earlier reports worked from national totals: they estimated about 60,000 "
            "transplants in China from 2000 to 2005, of which about 41,500 had no explained "
            "source. The update works from the bottom up, hospital by hospital. Its authors "
            "estimated that Chinese hospitals were performing between 60,000 and 100,000 "
            "transplants a year, several times the figure of roughly 10,000 a year given in "
            "official statements. They argue that the difference is explained by organs "
            "taken from prisoners of conscience, above all Falun Gong practitioners.",
            "This briefing summarises the method as the authors describe it, sets it beside "
            "the official figures, and lists what an investigator should check before relying "
            "on either. Transplant Ethics Watch does not endorse the estimate; it is given "
            "here as the authors' claim.",
        ],
    ),
    (
        "2. Method, as described by the authors",
        [
            "The update examines 712 hospitals in China that carried out liver and kidney "
            "transplants. For each one the authors collected what the hospital and Chinese "
            "state media had published about it: numbers of transplant beds, bed utilisation, "
            "surgical staff, training programmes, building expansions, and claims about "
            "numbers of operations. From these they estimated how many transplants each "
            "hospital could perform in a year, and added the results up.",
            "The logic of a capacity estimate can be shown with a worked example. The figures "
            "that follow are invented for illustration and describe no real hospital. A "
            "centre with 50 dedicated transplant beds, an average stay of 30 days per patient "
            "and beds occupied 80 percent of the time can treat about 50 x 365 x 0.8 / 30, or "
            "roughly 490, transplant patients a year. A published estimate of this kind is "
            "only as good as each of its inputs.",
            "The authors also pointed to the growth of hospital transplant wards after 2000, "
            "which many hospitals announced on their own websites, and to the short waiting "
            "times of one to two weeks that several hospitals had advertised in the mid-2000s.",
        ],
    ),
    (
        "3. The official account",
        [
            "Chinese officials describe a reformed system. State Council regulations in force "
            "since 1 May 2007 require transplant hospitals to be licensed; a pilot programme of "
            "voluntary deceased donation with the Red Cross Society of China began in 2010; "
            "since 2013 organs from deceased donors are to be allocated through the China "
            "Organ Transplant Response System (COTRS). Huang Jiefu, the former vice minister "
            "of health who leads the reform, announced in December 2014 that from 1 January "
            "2015 organs from executed prisoners would no longer be used.",
            "Official sources reported 2,766 deceased donors and 10,057 transplants, "
            "living-donor transplants included, for 2015. The Chinese government has "
            "consistently rejected the allegation that prisoners of conscience are used as "
            "a source of organs.",
            "Earlier in June 2016 the United States House of Representatives passed "
            "House Resolution 343, which expressed concern about reports of state-sanctioned "
            "organ harvesting from Falun Gong practitioners and other prisoners of conscience "
            "in China.",
        ],
    ),
    (
        "4. What an investigator should check",
        [
            "- Capacity is not throughput. A bed count tells you what a hospital could do; "
            "it does not show what it did. Look for independent evidence of actual volumes, "
            "such as published case series, staff statements and procurement records.",
            "- Hospital websites are promotional. Archive every page you rely on, with its "
            "capture date, and keep the original bytes.",
            "- Ranges matter. The update gives a range of 60,000 to 100,000 a year, not a "
            "point estimate; report both ends.",
            "- Official figures conflict with each other. Record each official number with "
            "its speaker, outlet and date instead of choosing one.",
            '"Capacity tells you what a hospital could do; it never tells you, on its own, '
            'what it did," said Tomas Lindgren, who coordinates the research desk. "That is '
            'why the update should be read together with the evidence of actual operations."',
        ],
    ),
]

PDF_FOOTNOTE = (
    SAMPLE_NOTE_EN + " Transplant Ethics Watch and Tomas Lindgren are fictional; the "
    "reports, their authors, their figures and the official statements are real and are "
    "given as attributed claims. The worked example in section 2 is invented for illustration. "
    "Sources: Kilgour, Gutmann & Matas, Bloody Harvest/The Slaughter: An Update (June 2016); "
    "Kilgour & Matas, Report into Allegations of Organ Harvesting of Falun Gong Practitioners "
    "in China (6 July 2006) and Bloody Harvest (31 January 2007); Ethan Gutmann, The Slaughter "
    "(2014); State Council Regulations on Human Organ Transplantation (2007); official 2015 "
    "figures as reported by People's Daily and China News (2016); US House of Representatives, "
    "H.Res. 343 (114th Congress, 2016)."
)


def build_pdf(path: Path) -> None:
    """Write the briefing PDF with a fixed creation date (deterministic)."""
    from fpdf import FPDF

    class Briefing(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 6, "Transplant Ethics Watch (sample NGO) - Briefing 2016/04", align="L")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 6, f"{SAMPLE_NOTE_EN}   Page {self.page_no()}/{{nb}}", align="C")

    pdf = Briefing(format="A4")
    pdf.set_creation_date(PDF_DATE)
    pdf.set_title(PDF_TITLE)
    pdf.set_author(PDF_AUTHOR)
    pdf.set_subject("Sample NGO briefing for the OrganWatch demo corpus")
    pdf.set_creator("OrganWatch tools/build_sample_binaries.py")
    pdf.set_producer("fpdf2")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(22, 18, 22)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, PDF_TITLE)
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, f"{PDF_AUTHOR} - 15 July 2016")
    pdf.ln(4)

    for number, (heading, paragraphs) in enumerate(PDF_SECTIONS):
        if number == 2:
            pdf.add_page()  # the official account starts on page 2 so the PDF always has 2+ pages
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, heading)
        pdf.ln(1)
        pdf.set_font("Helvetica", "", 11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 5.5, paragraph)
            pdf.ln(2.5)
        pdf.ln(2)

    pdf.set_font("Helvetica", "I", 8.5)
    pdf.multi_cell(0, 4.5, PDF_FOOTNOTE)
    pdf.output(str(path))


# ---------------------------------------------------------------------------


def _write_encoded(path: Path, text: str, encoding: str) -> None:
    data = text.encode(encoding)  # raises if a character is not encodable
    if data.decode(encoding) != text:
        raise SystemExit(f"{path}: text does not round-trip through {encoding}")
    path.write_bytes(data)


def build_all(target: Path) -> list[Path]:
    """Build every generated sample file under ``target`` and return their paths."""
    outputs = {
        "zh/wang-lijun-jinzhou-gb18030.html": lambda p: _write_encoded(p, WANG_LIJUN_GB18030_HTML, "gb18030"),
        "zh-hant/china-tribunal-judgment-big5.html": lambda p: _write_encoded(p, TRIBUNAL_BIG5_HTML, "big5"),
        "en/briefing-2016-update-transplant-capacity.pdf": build_pdf,
        f"archived/{WARC_FILENAME}": build_warc,
    }
    written = []
    for relative, build in outputs.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="build into a temporary folder and fail if any file differs from sample/",
    )
    args = parser.parse_args(argv)
    if not args.check:
        for path in build_all(SAMPLE):
            print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        stale = [
            path.relative_to(tmp)
            for path in build_all(Path(tmp))
            if not (SAMPLE / path.relative_to(tmp)).exists()
            or not filecmp.cmp(path, SAMPLE / path.relative_to(tmp), shallow=False)
        ]
    if stale:
        for relative in stale:
            print(f"stale: sample/{relative} differs from what this script builds", file=sys.stderr)
        print("run: .venv/bin/python tools/build_sample_binaries.py", file=sys.stderr)
        return 1
    print("sample binaries are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
