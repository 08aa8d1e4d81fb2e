-- CRM: companies, contacts, tags, leads (BANT), pipeline stages, deals, interactions.
-- The same tables exist for PostgreSQL in migrations_pg/; keep both in step.
-- Dates are ISO `YYYY-MM-DD` text, times are Unix milliseconds, money is integer cents.
-- `deleted_at` marks a soft delete that can be undone.
CREATE TABLE crm_companies (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_norm  TEXT NOT NULL,
    domain     TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX crm_companies_by_name ON crm_companies (name_norm);

CREATE TABLE crm_contacts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    email_norm  TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    phone_norm  TEXT NOT NULL DEFAULT '',
    company_id  INTEGER REFERENCES crm_companies (id),
    notes       TEXT NOT NULL DEFAULT '',
    -- Best score of the contact's open leads, kept here so lists sort and filter by it.
    score       INTEGER,
    -- The properties of an imported vCard that Roxy has no field for, kept for export.
    vcard       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER,
    merged_into INTEGER
);
-- Partial: lists (and their counts) are of live contacts, in name order.
CREATE INDEX crm_contacts_by_name ON crm_contacts (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX crm_contacts_by_email ON crm_contacts (email_norm);
CREATE INDEX crm_contacts_by_phone ON crm_contacts (phone_norm);
CREATE INDEX crm_contacts_by_score ON crm_contacts (score);

CREATE TABLE crm_tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE crm_contact_tags (
    contact_id INTEGER NOT NULL REFERENCES crm_contacts (id),
    tag_id     INTEGER NOT NULL REFERENCES crm_tags (id),
    PRIMARY KEY (contact_id, tag_id)
);
CREATE INDEX crm_contact_tags_by_tag ON crm_contact_tags (tag_id, contact_id);

CREATE TABLE crm_leads (
    id              INTEGER PRIMARY KEY,
    contact_id      INTEGER NOT NULL REFERENCES crm_contacts (id),
    source          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'new',
    value_cents     INTEGER NOT NULL DEFAULT 0,
    next_action     TEXT NOT NULL DEFAULT '',
    next_action_due TEXT NOT NULL DEFAULT '',
    budget_cents    INTEGER,
    authority       TEXT NOT NULL DEFAULT 'unknown',
    need            TEXT NOT NULL DEFAULT 'unknown',
    decision_date   TEXT NOT NULL DEFAULT '',
    score           INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX crm_leads_by_contact ON crm_leads (contact_id);
CREATE INDEX crm_leads_by_due ON crm_leads (next_action_due);

CREATE TABLE crm_stages (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    probability INTEGER NOT NULL,
    -- open, won or lost
    outcome     TEXT NOT NULL DEFAULT 'open'
);

CREATE TABLE crm_deals (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES crm_leads (id),
    title       TEXT NOT NULL,
    stage_id    INTEGER NOT NULL REFERENCES crm_stages (id),
    position    INTEGER NOT NULL DEFAULT 0,
    value_cents INTEGER NOT NULL DEFAULT 0,
    close_date  TEXT NOT NULL DEFAULT '',
    probability INTEGER NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE INDEX crm_deals_by_stage ON crm_deals (stage_id, position);
CREATE INDEX crm_deals_by_lead ON crm_deals (lead_id);

CREATE TABLE crm_interactions (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES crm_contacts (id),
    kind       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    deleted_at INTEGER
);
CREATE INDEX crm_interactions_by_contact ON crm_interactions (contact_id, at);

-- Shared settings of the CRM itself (BANT weights and thresholds), so a team on one
-- PostgreSQL database scores alike.
CREATE TABLE crm_config (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Search index over names, emails, companies, tags and notes; rowid = contact id.
-- `facets` holds the filters as tokens (score floors, stages, tags) so filters and words
-- intersect inside the index. A plain (not contentless) FTS5 table so older sqlite3 tools
-- can read the file too.
CREATE VIRTUAL TABLE crm_contacts_fts USING fts5 (
    name, email, company, tags, notes, facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
