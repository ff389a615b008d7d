-- Identification search (issue 4; docs/internals/search.md). Names are
-- matched word by word. Each person's names give index words: the Latin form
-- of every word, made in C with ICU, and each Han ideograph itself (its
-- pinyin alone would not tell 张 from 章). search_terms holds each word once; search_postings says who
-- has which word. A query word finds similar index words through the trigram
-- index search_terms_fts, and then the persons through the postings.
--
-- SQL cannot call ICU, so this migration leaves the index empty: persons that
-- have no search_persons row (or one of an older TRANSLIT_VERSION) are
-- indexed from C by `assist init` and at `assist serve` start
-- (store_search_reindex). That is how the persons already in a database are
-- backfilled. Every later insert indexes its person in its own transaction.
CREATE TABLE search_terms (
  id   INTEGER PRIMARY KEY,
  term TEXT NOT NULL UNIQUE
);

-- Contentless FTS5 over each word as "^word$", so that the trigrams at the
-- word's ends count too ("ivnaov" still shares "^iv" and "ov$" with
-- "ivanov"). Pairs of last and first name ("petrova+mariya") are looked up
-- only as they are. Words are never deleted or changed.
CREATE VIRTUAL TABLE search_terms_fts USING fts5(term, content='', tokenize='trigram');
CREATE TRIGGER search_terms_fts_add AFTER INSERT ON search_terms WHEN instr(new.term, '+') = 0
BEGIN
  INSERT INTO search_terms_fts (rowid, term) VALUES (new.id, '^' || new.term || '$');
END;

-- Derived from persons and kept by store/search.c only (no foreign keys: a
-- check per posting would slow every insert for nothing).
CREATE TABLE search_postings (
  term_id   INTEGER NOT NULL,
  person_id INTEGER NOT NULL,
  PRIMARY KEY (term_id, person_id)
) WITHOUT ROWID;

-- A person's words, Latin and original forms (space-separated: to rank the
-- persons of a birth date by name, and to take the postings out again), the key of their document
-- (search_doc_key), and the TRANSLIT_VERSION that made them.
CREATE TABLE search_persons (
  person_id INTEGER PRIMARY KEY REFERENCES persons(id),
  words     TEXT NOT NULL,
  doc_key   TEXT,
  version   INTEGER NOT NULL
);
CREATE INDEX search_persons_doc ON search_persons(doc_key) WHERE doc_key IS NOT NULL;

-- exact lookups of the search box
CREATE INDEX persons_phone ON persons(phone);
CREATE INDEX persons_birth_date ON persons(birth_date);
CREATE INDEX policies_number_lower ON policies(lower(number));
