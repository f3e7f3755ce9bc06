-- Each cluster's locality lead: a council officer, by default the chair of the cluster's meetings. Past academic
-- years' memberships are kept as they were; the service refuses to change them.
ALTER TABLE clusters
    ADD COLUMN locality_lead_user_id uuid REFERENCES users (id),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE clusters ADD CONSTRAINT clusters_name_length CHECK (length(name) <= 120);
CREATE INDEX clusters_locality_lead ON clusters (locality_lead_user_id);
CREATE INDEX cluster_memberships_year ON cluster_memberships (academic_year, cluster_id);
