-- pending 0001: work that was started but not finished, so an interrupted run can be resumed and reported.
-- kind: import (a WARC/WACZ capture whose records are not all split out yet), text (a capture not read by
-- the text stage, which also indexes it for search), extract (a document not through the extract stage).
-- ref: the capture id (import, text) or the document id as text (extract).

CREATE TABLE pending_work (
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    detail TEXT,                         -- JSON: what the resuming run needs (e.g. the import's metadata)
    since TEXT NOT NULL,
    added BIGINT GENERATED ALWAYS AS IDENTITY,  -- insertion order among items of the same instant
    PRIMARY KEY (kind, ref)
);
CREATE INDEX pending_work_order ON pending_work (kind, since, added);
