#!/usr/bin/env python3
"""Writes a reproducible corpus of outreach-like messages (about 1 KB each) for benchmarks.

The messages are assembled from a bank of ordinary business sentences, with a pitch, a false
closeness claim or a list sign-up mixed into some of them, so the linter has real work to do.
Usage: make_corpus.py OUT_DIR COUNT [--mixed]   (--mixed adds Spanish, Polish and Hebrew text)
"""
import os
import random
import sys

NEUTRAL = [
    "I read your piece on onboarding remote engineers and it changed how we run our first week.",
    "Your talk at the logistics summit made a point about small fleets that I keep coming back to.",
    "We are a team of six working on route planning for couriers in the north of the country.",
    "I noticed you moved from support into operations last spring, which is a path I am considering.",
    "The question I could not answer myself is how you decided which roles to hire first.",
    "Last month our team tried the checklist you shared and it cut our handover time noticeably.",
    "If it is useful, I can send you the notes we took from the three pilots we ran this year.",
    "I would be glad to hear what you think, even if the answer is that we got it wrong.",
    "There is no rush on this; I know the end of the quarter is busy for everyone in your field.",
    "A colleague of mine, who worked with your team on the warehouse project, spoke highly of it.",
    "Our customers are mostly small shops, so the way you priced for independents caught my eye.",
    "Thanks for taking the time to read this far; I know inboxes are full this time of year.",
]
BAD = [
    "Our platform helps companies like yours cut delivery costs by 30%, and I would love to book a quick demo.",
    "As we discussed, I am sending over the proposal with our pricing for next year.",
    "I've added you to our monthly newsletter, so you will start receiving our updates next week.",
    "Could you introduce me to your head of procurement? I would like to present our services.",
    "Here is my calendar link, grab any 15-minute slot that suits you for a call.",
]
MIXED = [
    "Hola Ana, te escribo porque vi tu charla sobre logística en Madrid y me pareció muy útil.",
    "Dzień dobry, piszę do Pana w sprawie współpracy przy nowym projekcie logistycznym.",
    "שלום דנה, ראיתי את ההרצאה שלך בכנס ורציתי לשאול שאלה על גיוס עובדים.",
    "Ciao Marco, ho letto il tuo articolo sul networking e volevo ringraziarti.",
]
NAMES = ["Ana", "Tom", "Maria", "Jo", "Sam", "Lee", "Kim", "Dana", "Marco", "Eva"]


def message(rng, mixed):
    parts = [f"Subject: A question about {rng.choice(['hiring', 'routes', 'pricing', 'pilots'])}", "",
             f"Hi {rng.choice(NAMES)},", ""]
    body = rng.sample(NEUTRAL, 7)
    if rng.random() < 0.5:
        body.insert(rng.randrange(len(body)), rng.choice(BAD))
    if mixed:
        body.insert(rng.randrange(len(body)), rng.choice(MIXED))
    for i in range(0, len(body), 3):
        parts.append(" ".join(body[i:i + 3]))
        parts.append("")
    parts += ["Best regards,", rng.choice(NAMES)]
    return "\n".join(parts) + "\n"


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    mixed = "--mixed" in sys.argv
    rng = random.Random(42)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, f"msg{i:05}.txt"), "w", encoding="utf-8") as f:
            f.write(message(rng, mixed))


if __name__ == "__main__":
    main()
