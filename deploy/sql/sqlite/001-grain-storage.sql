-- FleetPods grain storage on SQLite (the embedded, single-machine default), read by Orleans'
-- ADO.NET grain storage provider (Microsoft.Orleans.Persistence.AdoNet 10.4.2), whose packages ship no SQL.
-- The provider reads the three queries below from OrleansQuery by key and binds these parameters:
-- @GrainIdHash @GrainIdN0 @GrainIdN1 @GrainTypeHash @GrainTypeString @GrainIdExtensionString @ServiceId,
-- plus @GrainStateVersion and @PayloadBinary when writing. Versions are the grain's ETag: a write or clear
-- whose @GrainStateVersion does not match the stored one must change nothing and answer a version equal to
-- @GrainStateVersion (or NULL for a first write that finds a row already there), which the provider reports
-- as an InconsistentStateException. Applied idempotently at every start of fleetpodsd.

CREATE TABLE IF NOT EXISTS FleetPodsSchema
(
    Version INTEGER NOT NULL PRIMARY KEY,
    AppliedOn TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash INTEGER NOT NULL,
    GrainIdN0 INTEGER NOT NULL,
    GrainIdN1 INTEGER NOT NULL,
    GrainTypeHash INTEGER NOT NULL,
    GrainTypeString TEXT NOT NULL,
    -- '' rather than NULL when the key has no string part, so the unique index below holds.
    GrainIdExtensionString TEXT NOT NULL,
    ServiceId TEXT NOT NULL,
    PayloadBinary BLOB,
    ModifiedOn TEXT NOT NULL,
    Version INTEGER NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Grain ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, ServiceId);

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
  AND ServiceId = @ServiceId;
');

-- SQLite has no variables, so the decision (and the version it yields) is computed once into a
-- connection-private temp table, then both the write and the answer follow from it.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
CREATE TEMP TABLE IF NOT EXISTS FleetPodsWrite (NewVersion INTEGER);
DELETE FROM temp.FleetPodsWrite;
INSERT INTO temp.FleetPodsWrite (NewVersion)
SELECT CASE
    WHEN @GrainStateVersion IS NULL AND NOT EXISTS (
        SELECT 1 FROM OrleansStorage
        WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
          AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
          AND GrainTypeString = @GrainTypeString
          AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
          AND ServiceId = @ServiceId) THEN 1
    WHEN @GrainStateVersion IS NOT NULL AND EXISTS (
        SELECT 1 FROM OrleansStorage
        WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
          AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
          AND GrainTypeString = @GrainTypeString
          AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
          AND ServiceId = @ServiceId
          AND Version = @GrainStateVersion) THEN @GrainStateVersion + 1
    ELSE NULL
END;
INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, COALESCE(@GrainIdExtensionString, ''''), @ServiceId,
       @PayloadBinary, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''), 1
WHERE @GrainStateVersion IS NULL AND (SELECT NewVersion FROM temp.FleetPodsWrite) = 1;
UPDATE OrleansStorage
SET PayloadBinary = @PayloadBinary, ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''), Version = @GrainStateVersion + 1
WHERE @GrainStateVersion IS NOT NULL AND (SELECT NewVersion FROM temp.FleetPodsWrite) IS NOT NULL
  AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion;
SELECT COALESCE(NewVersion, @GrainStateVersion) AS NewGrainStateVersion FROM temp.FleetPodsWrite;
');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''), Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion;
SELECT CASE WHEN changes() > 0 THEN @GrainStateVersion + 1 ELSE @GrainStateVersion END AS NewGrainStateVersion;
');

INSERT OR IGNORE INTO FleetPodsSchema (Version, AppliedOn) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
