/**
 * Small blocking file helpers shared by the spool, Maildir delivery and the files an operator
 * edits: fsync primitives and the one temp-file-and-rename
 * ({@link io.postino.files.DurableFiles}), whole-file replacement of small files
 * ({@link io.postino.files.AtomicFiles}), polling for changed files
 * ({@link io.postino.files.FileWatcher}), and random secrets kept in files
 * ({@link io.postino.files.SecretFiles}: the admin token, the SRS key), and the group-commit
 * skeleton of Maildir copies and spool removals ({@link io.postino.files.BatchedWork}). Every call that touches the disk blocks: workers only.
 *
 * <p>Depends on: nothing of Postino.
 */
package io.postino.files;
