/**
 * LevelDB open options of a read-only open's private copy (store/snapshot.ts,
 * store/beside-writer.ts; SPEC.md §21.1). They change how LevelDB caches, never what it writes:
 * the files, their format and the write path's durability (SPEC.md §15) are those of every open.
 *
 * Why: LevelDB maps every table file its table cache holds (mmap, PROT_READ), and every page a
 * read touched stays resident — counted in the process's RSS — until the table leaves the cache.
 * With classic-level's default (maxOpenFiles 1000) a whole-archive pass keeps the whole archive
 * mapped: on a 100,000-block archive (793 MB, 410 tables) check peaked at 1,161 MB, export at
 * 896 MB, rebuild at 948 MB, audit at 1,562 MB. LevelDB clips maxOpenFiles to at least 74, a table cache of 64 tables
 * of about 2 MB: the mapped part stays about 110 MB whatever the archive's size. The commands that
 * read a whole archive read it in key order (scans; check and audit merge theirs by block id,
 * store/groups.ts), so each table is read once and the smaller cache costs no extra reads. Point reads (show, prove,
 * an incremental export's documents) open a table per miss: fine for a few documents.
 */

/** The smallest table cache LevelDB allows: it clips max_open_files to 64 tables + 10 other files. */
export const READ_COPY_MAX_OPEN_FILES = 74;

/** Options for a read-only open's private copy. */
export const READ_COPY_OPTIONS = { maxOpenFiles: READ_COPY_MAX_OPEN_FILES } as const;
