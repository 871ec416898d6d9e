"""English sentences for synthetic speech, from a small grammar, so no text corpus is needed.

A sentence is one of a few clause shapes (statement, question, instruction, numbers)
filled from word lists. The lists cover the common English phonemes in many contexts:
plosives, fricatives, nasals, liquids, long and short vowels, diphthongs and clusters. A
sentence is a pure function of its numpy Generator, so a corpus is reproducible from a seed.
The grammar gives about 10^9 distinct sentences; the speech corpus uses a few thousand.
"""

import numpy as np

SUBJECTS = (
    "the old fisherman", "my neighbour", "a quiet child", "the young doctor", "our teacher",
    "the tired farmer", "his sister", "the brave pilot", "a small dog", "the choir",
    "every student", "the shop keeper", "her grandfather", "the thin cat", "a stranger",
    "the whole village", "the judge", "two sailors", "the baker", "my brother",
)  # fmt: skip
VERBS = (
    "carried", "painted", "watched", "bought", "fixed", "pushed", "dropped", "found",
    "washed", "measured", "heard", "threw", "borrowed", "cleaned", "chose", "sketched",
    "delivered", "followed", "weighed", "dragged",
)  # fmt: skip
OBJECTS = (
    "a heavy box of apples", "the broken chair", "three yellow pencils", "a jar of honey",
    "the crooked ladder", "an empty bottle", "the blue kite", "a bag of flour",
    "the silver spoon", "a bunch of grapes", "the muddy boots", "a thick wool sweater",
    "the wooden bridge", "a stack of letters", "the garden hose", "a bright orange lamp",
    "the leather purse", "a loaf of fresh bread", "the rusty bicycle", "a map of the coast",
)  # fmt: skip
PLACES = (
    "near the harbour", "behind the church", "at the edge of the forest", "in the kitchen",
    "across the frozen lake", "under the old oak tree", "beside the railway station",
    "on the top floor", "through the narrow street", "by the river", "in the school yard",
    "outside the museum", "along the sandy beach", "inside the barn", "past the market",
)  # fmt: skip
TIMES = (
    "this morning", "late last night", "before the storm", "every Thursday", "at noon",
    "after dinner", "in the spring", "twice a week", "just before sunrise", "yesterday",
)  # fmt: skip
ADJECTIVES = (
    "smooth", "cheerful", "enormous", "fragile", "gloomy", "shiny", "crisp", "dusty",
    "peaceful", "strange", "warm", "noisy", "gentle", "sharp", "lazy",
)  # fmt: skip
COMMANDS = (
    "please close the window", "hand me the scissors", "turn left at the bakery",
    "put the kettle on", "keep the change", "wait for the green light",
    "fold the towels neatly", "bring your umbrella", "check the oven", "speak a little louder",
)  # fmt: skip
NUMBERS = (
    "seven", "twelve", "nineteen", "forty two", "sixty", "a hundred", "three thousand",
    "eight", "fifteen", "ninety nine",
)  # fmt: skip
UNITS = ("miles", "minutes", "pounds", "people", "boxes", "steps", "pages", "years")


def _pick(rng: np.random.Generator, words: tuple[str, ...]) -> str:
    return words[rng.integers(len(words))]


def sentence(rng: np.random.Generator) -> str:
    """One sentence, capitalised and punctuated."""
    shape = rng.integers(5)
    if shape == 0:
        text = (
            f"{_pick(rng, SUBJECTS)} {_pick(rng, VERBS)} {_pick(rng, OBJECTS)} "
            f"{_pick(rng, PLACES)} {_pick(rng, TIMES)}."
        )
    elif shape == 1:
        text = f"did {_pick(rng, SUBJECTS)} really see {_pick(rng, OBJECTS)} {_pick(rng, PLACES)}?"
    elif shape == 2:
        text = f"{_pick(rng, COMMANDS)}, {_pick(rng, TIMES)}, or {_pick(rng, COMMANDS)}."
    elif shape == 3:
        text = (
            f"{_pick(rng, SUBJECTS)} walked {_pick(rng, NUMBERS)} {_pick(rng, UNITS)} "
            f"{_pick(rng, PLACES)}, and it felt {_pick(rng, ADJECTIVES)}."
        )
    else:
        text = (
            f"the {_pick(rng, ADJECTIVES)} afternoon was {_pick(rng, ADJECTIVES)}, "
            f"so {_pick(rng, SUBJECTS)} {_pick(rng, VERBS)} {_pick(rng, OBJECTS)}."
        )
    return text[0].upper() + text[1:]


def utterance(rng: np.random.Generator, sentences: int) -> str:
    """`sentences` sentences joined into one text to speak."""
    return " ".join(sentence(rng) for _ in range(sentences))
