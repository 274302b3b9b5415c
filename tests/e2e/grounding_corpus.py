"""Ten short documents and twenty questions, two per document, for the grounded-answer tests:
each question's answer is one sentence of its document (``ANSWERS``)."""

from __future__ import annotations

DOCUMENTS: dict[str, str] = {
    "Harbor Point Lighthouse": (
        "The Harbor Point Lighthouse stands on a granite ledge at the mouth of the bay. "
        "Its tower was first lit in 1871 with a whale oil lamp. "
        "The last keeper, Ada Moreau, left the station in 1954 when the light was automated."
    ),
    "Mill River Bridge": (
        "The Mill River Bridge carries the old post road across the river. "
        "Its three stone arches were completed in 1902 by Italian masons. "
        "Heavy trucks have been banned from the bridge since a flood cracked the middle pier."
    ),
    "Copper Hollow Mine": (
        "Copper Hollow Mine produced copper ore for sixty years. "
        "Miners reached the deepest shaft, nine hundred feet down, in 1911. "
        "The mine closed in 1938 after the copper price collapsed."
    ),
    "Alder Lake": (
        "Alder Lake is a glacial lake fed by four mountain streams. "
        "Its water stays below twelve degrees even in August. "
        "Brook trout are the only fish native to the lake."
    ),
    "Town Library": (
        "The town library opened in a former bank building in 1923. "
        "Its reading room holds a collection of eight thousand maps. "
        "Volunteers repair damaged books every Thursday evening."
    ),
    "Orchard Festival": (
        "The orchard festival is held on the first weekend of October. "
        "Visitors press apples into cider with a wooden press built in 1890. "
        "A pie contest closes the festival on Sunday afternoon."
    ),
    "Signal Hill Observatory": (
        "Signal Hill Observatory houses a refracting telescope with a forty inch lens. "
        "Astronomers there discovered a comet in 1936. "
        "Public viewing nights happen every clear Friday in summer."
    ),
    "Greenway Railway": (
        "The Greenway Railway once hauled timber from the northern forests. "
        "Passenger trains stopped running on the line in 1961. "
        "The old track bed is now a cycling path forty miles long."
    ),
    "Stone Market Hall": (
        "Stone Market Hall was built as a grain exchange in 1857. "
        "Farmers still sell cheese and honey under its arcades on Saturdays. "
        "A fire in 1920 destroyed the original wooden roof."
    ),
    "Heron Marsh": (
        "Heron Marsh is a protected wetland of reeds and tidal pools. "
        "Great blue herons nest in the marsh from April to July. "
        "A boardwalk lets visitors cross the wetland without disturbing the birds."
    ),
}

# question → (document title, the sentence that answers it)
ANSWERS: dict[str, tuple[str, str]] = {
    "When was the tower of Harbor Point Lighthouse first lit?": (
        "Harbor Point Lighthouse", "Its tower was first lit in 1871 with a whale oil lamp."),
    "Who was the last keeper of the lighthouse station?": (
        "Harbor Point Lighthouse",
        "The last keeper, Ada Moreau, left the station in 1954 when the light was automated."),
    "When were the stone arches of the Mill River Bridge completed?": (
        "Mill River Bridge", "Its three stone arches were completed in 1902 by Italian masons."),
    "Why are heavy trucks banned from the bridge?": (
        "Mill River Bridge",
        "Heavy trucks have been banned from the bridge since a flood cracked the middle pier."),
    "How deep did miners reach in the deepest shaft?": (
        "Copper Hollow Mine", "Miners reached the deepest shaft, nine hundred feet down, in 1911."),
    "When did Copper Hollow Mine close?": (
        "Copper Hollow Mine", "The mine closed in 1938 after the copper price collapsed."),
    "How cold does the water of Alder Lake stay in August?": (
        "Alder Lake", "Its water stays below twelve degrees even in August."),
    "Which fish are native to Alder Lake?": (
        "Alder Lake", "Brook trout are the only fish native to the lake."),
    "When did the town library open?": (
        "Town Library", "The town library opened in a former bank building in 1923."),
    "How many maps does the library reading room hold?": (
        "Town Library", "Its reading room holds a collection of eight thousand maps."),
    "When is the orchard festival held?": (
        "Orchard Festival", "The orchard festival is held on the first weekend of October."),
    "What do visitors press apples into at the festival?": (
        "Orchard Festival",
        "Visitors press apples into cider with a wooden press built in 1890."),
    "How large is the lens of the Signal Hill telescope?": (
        "Signal Hill Observatory",
        "Signal Hill Observatory houses a refracting telescope with a forty inch lens."),
    "When did astronomers at the observatory discover a comet?": (
        "Signal Hill Observatory", "Astronomers there discovered a comet in 1936."),
    "When did passenger trains stop running on the Greenway Railway line?": (
        "Greenway Railway", "Passenger trains stopped running on the line in 1961."),
    "How long is the cycling path on the old track bed?": (
        "Greenway Railway", "The old track bed is now a cycling path forty miles long."),
    "What do farmers sell under the arcades of Stone Market Hall?": (
        "Stone Market Hall",
        "Farmers still sell cheese and honey under its arcades on Saturdays."),
    "What did the fire in 1920 destroy at the market hall?": (
        "Stone Market Hall", "A fire in 1920 destroyed the original wooden roof."),
    "When do great blue herons nest in Heron Marsh?": (
        "Heron Marsh", "Great blue herons nest in the marsh from April to July."),
    "How do visitors cross the wetland without disturbing the birds?": (
        "Heron Marsh",
        "A boardwalk lets visitors cross the wetland without disturbing the birds."),
}  # fmt: skip
