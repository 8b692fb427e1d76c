"""How much one input may hold. The API refuses more at the edge (422 naming the field); the
rules refuse again what would grow a workflow's state, so a workflow never meets input it
cannot carry (Temporal refuses a payload over 2 MB, and state travels whole on continue-as-new).

Worst cases these allow, in UTF-8 (3 bytes a Chinese character): a case's hazards
200 x (1,000 + 1,000) x 3 = 1.2 MB; a standard's comments 300 x (1,000 + 500) x 3 = 1.35 MB."""

NAME = 200  # names, titles, products, authors, clauses, codes and numbers
TEXT = 1_000  # descriptions, evidence, notes, reasons, summaries, comment texts
REASON = 500  # a disposition's reason
IDS = 100  # ids or items in one list of one request
MAX_HAZARDS_PER_CASE = 200
MAX_COMMENTS_PER_STANDARD = 300
MAX_COMMENT_PERIOD_DAYS = 366
MAX_UNITS = 10**12  # units affected or corrected
