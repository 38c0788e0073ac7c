package io.postino.spool;

import io.postino.files.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The folders of a spool, and the only place their names are known: {@code tmp} (files being
 * written), {@code incoming} (the queue), {@code hold}, {@code corrupt}, {@code status} and
 * {@code journal}. Gives the journal its messages' files ({@link JournaledFiles}) without telling it
 * where they are, or whether they exist yet ({@link ResidentMessages}). Blocking.
 */
final class SpoolFolders implements JournaledFiles {

  final Path root;
  final Path tmp;
  final Path incoming;
  final Path hold;
  final Path corrupt;
  final Path status;
  final Path journal;
  /** The journaled messages of {@code incoming} that have no file there yet. */
  final ResidentMessages residents;

  SpoolFolders(Path root) {
    this.root = root;
    this.tmp = root.resolve("tmp");
    this.incoming = root.resolve("incoming");
    this.hold = root.resolve("hold");
    this.corrupt = root.resolve("corrupt");
    this.status = root.resolve("status");
    this.journal = root.resolve("journal");
    this.residents = new ResidentMessages(incoming, ResidentMessages.DEFAULT_LIMIT);
  }

  /** Creates the folders that are missing, durably. */
  void create() throws IOException {
    for (Path dir : List.of(tmp, incoming, hold, corrupt, status, journal)) {
      DurableFiles.createDirectories(dir);
    }
  }

  /** Where a message's file may be: the queue, then hold. */
  List<Path> messageFiles(String queueId) {
    return List.of(incoming.resolve(queueId), hold.resolve(queueId));
  }

  @Override
  public boolean sync(String id) throws IOException {
    // a resident message gets its file here, synced: its segment is about to go
    if (residents.sync(id)) {
      return true;
    }
    // incoming, then hold, then incoming again: a release between the first two looks is not missed
    for (Path file : List.of(incoming.resolve(id), hold.resolve(id), incoming.resolve(id))) {
      // java.io.File asks without an exception: a checkpoint may look for many files that are gone
      if (!file.toFile().isFile()) {
        continue;
      }
      try {
        DurableFiles.fdatasync(file);
        return true;
      } catch (NoSuchFileException e) {
        // removed since the look
      }
    }
    return false;
  }

  @Override
  public boolean restore(String id, ByteBuffer content) throws IOException {
    for (Path file : messageFiles(id)) {
      byte[] existing;
      try {
        existing = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        continue;
      }
      if (ByteBuffer.wrap(existing).equals(content)) {
        DurableFiles.fdatasync(file);
        return false;
      }
      rewrite(id, content, file);
      return true;
    }
    // No file at all: either it was never written into incoming, the case that matters, or it
    // was removed and its done record died with the process: then it is delivered a second time.
    rewrite(id, content, incoming.resolve(id));
    return true;
  }

  private void rewrite(String id, ByteBuffer content, Path target) throws IOException {
    // in tmp: a rewrite cut short leaves a file that the next start deletes
    DurableFiles.replace(tmp.resolve(id), target, true, true, content);
  }

  @Override
  public void syncFolders() throws IOException {
    DurableFiles.fsyncDirectory(incoming);
    DurableFiles.fsyncDirectory(hold);
  }

  static List<Path> list(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(files::add);
    }
    return files;
  }
}
