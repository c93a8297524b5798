-- Which source's bundle wrote the fields an entity has now. A bundle that would change a
-- stored entity must say so (the write is refused otherwise), and this records who did.
-- Deleting that source leaves the entity as it is and sets this to NULL: no stored source
-- vouches for these fields any more. Entities stored before this column existed start NULL.
ALTER TABLE regions ADD COLUMN defined_by TEXT REFERENCES sources (id) ON DELETE SET NULL;
ALTER TABLE enterprises ADD COLUMN defined_by TEXT REFERENCES sources (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN defined_by TEXT REFERENCES sources (id) ON DELETE SET NULL;
ALTER TABLE policies ADD COLUMN defined_by TEXT REFERENCES sources (id) ON DELETE SET NULL;
ALTER TABLE indicators ADD COLUMN defined_by TEXT REFERENCES sources (id) ON DELETE SET NULL;
-- Deleting a source looks up the entities it defined; without these that is a full scan each.
CREATE INDEX regions_defined_by ON regions (defined_by);
CREATE INDEX enterprises_defined_by ON enterprises (defined_by);
CREATE INDEX projects_defined_by ON projects (defined_by);
CREATE INDEX policies_defined_by ON policies (defined_by);
CREATE INDEX indicators_defined_by ON indicators (defined_by);
