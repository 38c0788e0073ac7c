package io.postino.local;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mailboxes known to have their {@code tmp/}, {@code new/} and {@code cur/} (and, for a
 * Maildir++ folder, its {@code maildirfolder} file), so that a delivery to one of them does not
 * look for, or create, three directories every time. An operator may remove a mailbox while it is
 * known: a delivery that then finds a directory missing {@link #forget}s it and makes it again.
 *
 * <p>Thread-safe; {@link #ensure} blocks (call it on a worker thread).
 */
final class MailboxDirectories {

  /** Past this many, the set starts again: it saves work, it need not hold every mailbox of a large site. */
  static final int MAX_KNOWN = 10_000;

  private static final String[] SUBDIRECTORIES = {"tmp", "new", "cur"};

  private final Set<Path> known = ConcurrentHashMap.newKeySet();
  private final Set<PosixFilePermission> directoryMode;
  private final Set<PosixFilePermission> fileMode;

  MailboxDirectories(Set<PosixFilePermission> directoryMode, Set<PosixFilePermission> fileMode) {
    this.directoryMode = directoryMode;
    this.fileMode = fileMode;
  }

  /**
   * Makes the directories of mailbox {@code dir} (durably: each new entry's parent is fsync'd)
   * unless it is known to have them already.
   *
   * @param folder whether {@code dir} is a Maildir++ folder, which gets its {@code maildirfolder}
   */
  void ensure(Path dir, boolean folder) throws IOException {
    if (known.contains(dir)) {
      return;
    }
    for (String sub : SUBDIRECTORIES) {
      DurableFiles.createDirectories(dir.resolve(sub), directoryMode);
    }
    if (folder) {
      try {
        // an empty file, which mail readers (Dovecot, Courier) look for
        Files.createFile(dir.resolve("maildirfolder"), PosixFilePermissions.asFileAttribute(fileMode));
      } catch (FileAlreadyExistsException e) {
        // made by an earlier delivery
      }
    }
    if (known.size() >= MAX_KNOWN) {
      known.clear();
    }
    known.add(dir);
  }

  /** A directory of {@code dir} was found missing: the next {@link #ensure} makes them again. */
  void forget(Path dir) {
    known.remove(dir);
  }
}
