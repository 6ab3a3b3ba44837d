"""Small bibliographic fixtures written for these tests (invented papers, public-style metadata)."""

from __future__ import annotations

PUBMED_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "x.dtd">
<PubmedArticleSet>
 <PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
   <PMID Version="1">90000001</PMID>
   <Article PubModel="Print">
    <Journal><Title>Journal of Invented Transplant Studies</Title>
     <JournalIssue><PubDate><Year>2006</Year><Month>Mar</Month></PubDate></JournalIssue></Journal>
    <ArticleTitle>Heart transplantation from brain-dead donors: experience of 12 cases</ArticleTitle>
    <Abstract>
     <AbstractText Label="METHODS">After brain death was declared, the donor was intubated and a median
      sternotomy was performed; heparin was given and the aorta cross-clamped.</AbstractText>
     <AbstractText Label="RESULTS">All recipients survived to discharge.</AbstractText>
    </Abstract>
    <AuthorList>
     <Author><LastName>Zhang</LastName><ForeName>Wei</ForeName>
      <AffiliationInfo><Affiliation>Department of Cardiac Surgery, Xijing Hospital, Fourth Military Medical
       University, Xi'an, China.</Affiliation></AffiliationInfo></Author>
     <Author><LastName>Li</LastName><ForeName>Na</ForeName></Author>
    </AuthorList>
    <Language>eng</Language>
    <VernacularTitle>脑死亡供体心脏移植12例</VernacularTitle>
   </Article>
  </MedlineCitation>
 </PubmedArticle>
 <PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
   <PMID Version="1">90000002</PMID>
   <Article PubModel="Print">
    <Journal><Title>Invented Journal of Surgery</Title>
     <JournalIssue><PubDate><MedlineDate>2015 Jan-Feb</MedlineDate></PubDate></JournalIssue></Journal>
    <ArticleTitle>Liver transplantation in a porcine model</ArticleTitle>
    <Abstract><AbstractText>Pigs were used.</AbstractText></Abstract>
    <Language>eng</Language>
   </Article>
  </MedlineCitation>
 </PubmedArticle>
</PubmedArticleSet>
"""

MEDLINE = """PMID- 90000011
TI  - Lung transplantation: donor management and outcomes in a single
      centre.
AB  - The donors had been intubated and ventilated in the intensive care unit before
      brain death was confirmed.
FAU - Wang, Fang
AD  - Department of Thoracic Surgery, Wuxi People's Hospital, Wuxi, China.
DP  - 2012 Jun
LA  - eng
TA  - Invented Thorac J

PMID- 90000012
TI  - Second record
DP  - 2013
"""

RIS = """TY  - JOUR
ID  - ris-1
TI  - 脑死亡供体心脏切取与保护
AB  - 供体脑死亡后迅速气管插管，胸骨正中切口进胸，阻断升主动脉，灌注停搏液。
AU  - 王, 强
AD  - 解放军总医院心血管外科, 北京 100853
PY  - 2004
JO  - 虚构心胸外科杂志
ER  -
TY  - JOUR
TI  - A record with no identifier at all
PY  - 2009
ER  -
TY  - JOUR
ID  - ris-3
TI  - Record whose end tag is missing
PY  - 2010
TY  - JOUR
ID  - ris-1
TI  - Duplicate of the first record
ER  -
"""

CSV_ROWS = [
    ("c1", "2005", "供体脑死亡后,紧急气管插管,纯氧通气,胸骨正中切口,肝素化,阻断升主动脉。"),
    ("c2", "2006", "供者脑死亡后迅速建立人工呼吸,维持循环稳定,随后开胸切取供心。"),
    ("c3", "2007", "患者入院后即行气管插管、呼吸机辅助呼吸，2天后经两次评估确认脑死亡，家属同意捐献。"),
]
