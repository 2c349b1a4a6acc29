"""Citations shared by several rules, spelt once so every decision quotes them the same way.

Each ``source`` is a section of the repository's own evidence files (``docs/clinical/<file>.md``
with a heading anchor); the ``detail`` names the primary source behind it. The map from the
earlier citations is docs/clinical/citations.md.
"""

from services.triage.engine.decision import Citation
from services.triage.engine.rules.base import cite


def at(source: str, citation: Citation) -> Citation:
    """``citation``'s primary source, cited at another section of docs/clinical."""
    return cite(source, citation.detail)


STIELL_1993 = cite(
    "docs/clinical/ottawa-and-fractures.md#ottawa-ankle-and-foot-rules",
    "Stiell 1993, JAMA 269:1127: refined Ottawa ankle and foot rules",
)
OTTAWA_POINTS = cite("docs/clinical/ottawa-and-fractures.md#ottawa-points-and-the-pain-zone")
ANDERSON_2022 = cite(
    "docs/clinical/ottawa-and-fractures.md#late-presentation",
    "Anderson 2022, Emerg Med J 39:258: OAR unsafe >=10 days after injury",
)
DOWLING_2009 = cite(
    "docs/clinical/ottawa-and-fractures.md#children-and-the-low-risk-ankle-rule",
    "Dowling 2009, Acad Emerg Med 16:277: OAR reliable in children over 5",
)
BOUTIS_2013 = cite(
    "docs/clinical/ottawa-and-fractures.md#children-and-the-low-risk-ankle-rule",
    "Boutis 2013, CMAJ 185:E731: Low Risk Ankle Rule, children 3-16",
)
AAOS_2009 = cite(
    "docs/clinical/achilles.md#achilles-tendon-rupture",
    "AAOS 2009 (Chiodo 2010, JAAOS 18:503): two or more of four criteria",
)
MAFFULLI_1998 = cite(
    "docs/clinical/achilles.md#achilles-tendon-rupture",
    "Maffulli 1998, Am J Sports Med 26:266: calf squeeze sensitivity 0.96",
)
SMAN_2015 = cite(
    "docs/clinical/sprains-and-syndesmosis.md#syndesmosis-injury",
    "Sman 2015, Br J Sports Med 49:323: syndesmosis tests",
)
VUURBERG_2018 = cite(
    "docs/clinical/sprains-and-syndesmosis.md#lateral-ankle-sprain",
    "Vuurberg 2018, Br J Sports Med 52:956: ankle sprain guideline",
)
PATEL_2011 = cite(
    "docs/clinical/overuse.md#stress-fractures",
    "Patel 2011, Am Fam Physician 83:39: stress fractures",
)
ACR_2024 = cite(
    "docs/clinical/timelines-and-escalation.md#stress-fracture-with-a-negative-x-ray",
    "ACR Appropriateness Criteria 2024: MRI after negative X-ray",
)
MARTIN_2014 = cite(
    "docs/clinical/overuse.md#plantar-fasciitis",
    "Martin 2014, J Orthop Sports Phys Ther 44:A1: plantar heel pain CPG",
)
KINOSHITA_2001 = cite(
    "docs/clinical/overuse.md#tarsal-tunnel-syndrome",
    "Kinoshita 2001, J Bone Joint Surg Am 83:1835: dorsiflexion-eversion test",
)
COAKLEY_2006 = cite(
    "docs/clinical/red-flags.md#septic-arthritis-and-cellulitis",
    "Coakley 2006, Rheumatology (BSR/BOA): hot swollen joint",
)
NICE_NG19 = cite(
    "docs/clinical/red-flags.md#charcot-and-diabetic-foot",
    "NICE NG19 2015: diabetic foot problems",
)
NICE_CKS_SPRAINS = cite(
    "docs/clinical/red-flags.md#precedence-of-red-flags",
    "NICE CKS Sprains and strains 2016: referral red flags",
)
ZWIERS_2018 = cite(
    "docs/clinical/overuse.md#posterior-ankle-impingement",
    "Zwiers 2018, JISAKOS 3:269: endoscopic posterior impingement surgery",
)
ROBINSON_2003 = cite(
    "docs/clinical/sprains-and-syndesmosis.md#osteochondral-lesion-of-the-talus",
    "Robinson 2003 (via foothyperbook): investigate if not improved by 3 months",
)
REF_TIMELINES = cite(
    "docs/clinical/timelines-and-escalation.md#failed-conservative-care",
    "escalation timelines",
)
REF_RED_FLAGS = cite(
    "docs/clinical/red-flags.md#precedence-of-red-flags",
    "red flags override every other route",
)
REF_URGENCY = cite(
    "docs/clinical/missing-information-and-safety-floor.md#the-safety-floor",
    "urgency scale: URGENT is within 24 h or by the next working day",
)
REF_STRESS = cite(
    "docs/clinical/overuse.md#bone-stress-risk-factors",
    "stress fracture / bone stress injury: risk factors",
)
SAFETY_FLOOR_DOC = cite("docs/clinical/missing-information-and-safety-floor.md#the-safety-floor")

# The seeds: the five source documents the product was built from (docs/clinical/README.md).
SEED_POSTERIOR = cite(
    "docs/clinical/overuse.md#posterior-ankle-impingement",
    "seed 000_9281e541b26e62b4.txt, 'Ankle Impingement (Posterior)'",
)
SEED_IMPINGEMENT = cite(
    "docs/clinical/overuse.md#anterior-ankle-impingement",
    "seed 001_9c0bc143a4069b5a.txt, 'What is ankle impingement?'",
)
# Seeds 002 and 003 cover several conditions: each rule cites them at its own section.
SEED_RUNNING = "seed 002_993e68b0d89a85dd.txt, 'Common Ankle Injuries in Runners'"
SEED_GUIDE = "seed 003_057b6b42fc89566d.txt, 'Ankle Pain When Running?'"
SEED_BLACK_BLUE = cite(
    "docs/clinical/ottawa-and-fractures.md#severe-swelling-or-bruising-after-injury",
    "seed 003_057b6b42fc89566d.txt, 'black and blue' (sprained ankles)",
)
SEED_TARSAL = cite(
    "docs/clinical/overuse.md#tarsal-tunnel-syndrome",
    "seed 003_057b6b42fc89566d.txt, 'Tarsal Tunnel Syndrome'",
)
SEED_WEEK = cite(
    "docs/clinical/timelines-and-escalation.md#no-better-after-a-week",
    "seed 003_057b6b42fc89566d.txt, 'If the problem persists for more than a week'",
)
SEED_STRAIN = cite(
    "docs/clinical/overuse.md#overuse-soft-tissue-strain",
    "seed 004_ad83bbae4b3e43d7.txt, 'Soft Tissue Strain from Overuse'",
)
SEED_THREE_WEEKS = cite(
    "docs/clinical/timelines-and-escalation.md#beyond-three-weeks",
    "seed 004_ad83bbae4b3e43d7.txt, 'Lasts longer than three weeks'",
)
SEED_SHIN = cite(
    "docs/clinical/overuse.md#shin-pain-patterns",
    "seed 004_ad83bbae4b3e43d7.txt, 'Shin Splints Affecting the Tibialis Anterior'",
)
