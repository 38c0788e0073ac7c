package io.postino.local;

import io.postino.config.ConfigException;
import io.postino.config.JsonReader;
import io.vertx.core.json.JsonObject;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Options of Maildir delivery, the {@code "maildir"} object of {@code conf/postino.json}: where
 * the mailboxes are, and the permissions of the files and directories delivery creates.
 *
 * <p>SECURITY: delivered mail is as private as the spool it came from: files {@code 0600} and
 * directories {@code 0700} by default, as Postfix's {@code local} makes them. A site whose mail
 * readers run as another user of the same group can open them to the group; a mode that would
 * let other users write, or lock the owner out, is refused.
 */
public final class MaildirOptions {

  public static final String DEFAULT_ROOT = "data/maildir";
  public static final String DEFAULT_FILE_MODE = "0600";
  public static final String DEFAULT_DIRECTORY_MODE = "0700";

  private String root = DEFAULT_ROOT;
  private String fileMode = DEFAULT_FILE_MODE;
  private String directoryMode = DEFAULT_DIRECTORY_MODE;
  private boolean subaddressFolders;

  public MaildirOptions() {
  }

  public MaildirOptions(MaildirOptions other) {
    this.root = other.root;
    this.fileMode = other.fileMode;
    this.directoryMode = other.directoryMode;
    this.subaddressFolders = other.subaddressFolders;
  }

  /** Reads a {@code "maildir"} object on its own: unknown keys and wrong types are refused. */
  public MaildirOptions(JsonObject json) {
    JsonReader reader = JsonReader.of(json, "maildir");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "maildir"} object of a whole configuration, whose reader reports unknown keys. */
  public MaildirOptions(JsonReader json) {
    read(json);
  }

  private void read(JsonReader json) {
    setRoot(json.string("root", DEFAULT_ROOT));
    setFileMode(mode(json, "fileMode", DEFAULT_FILE_MODE));
    setDirectoryMode(mode(json, "directoryMode", DEFAULT_DIRECTORY_MODE));
    setSubaddressFolders(json.bool("subaddressFolders", false));
  }

  private static String mode(JsonReader json, String key, String def) {
    if (json.raw(key) instanceof Number n) {
      // a JSON number cannot have the leading zero of an octal mode: 600 would silently mean 01130
      throw new ConfigException(json.path(key) + ": expected a string such as \"" + def + "\", got the number " + n);
    }
    return json.string(key, def);
  }

  public String getRoot() {
    return root;
  }

  public MaildirOptions setRoot(String root) {
    this.root = Objects.requireNonNull(root, "maildir.root");
    return this;
  }

  /** The mode of delivered files, an octal string such as {@code "0600"}. */
  public String getFileMode() {
    return fileMode;
  }

  public MaildirOptions setFileMode(String fileMode) {
    permissions("maildir.fileMode", fileMode, 0600);
    this.fileMode = fileMode;
    return this;
  }

  /** The mode of the directories delivery creates, an octal string such as {@code "0700"}. */
  public String getDirectoryMode() {
    return directoryMode;
  }

  public MaildirOptions setDirectoryMode(String directoryMode) {
    permissions("maildir.directoryMode", directoryMode, 0700);
    this.directoryMode = directoryMode;
    return this;
  }

  /** Deliver {@code alice+news@} into the Maildir++ folder {@code .news} of {@code alice} rather than her inbox. */
  public boolean isSubaddressFolders() {
    return subaddressFolders;
  }

  public MaildirOptions setSubaddressFolders(boolean subaddressFolders) {
    this.subaddressFolders = subaddressFolders;
    return this;
  }

  Set<PosixFilePermission> filePermissions() {
    return permissions("maildir.fileMode", fileMode, 0600);
  }

  Set<PosixFilePermission> directoryPermissions() {
    return permissions("maildir.directoryMode", directoryMode, 0700);
  }

  /**
   * Parses an octal mode of permission bits only (no set-id or sticky bit), which must grant the
   * owner {@code ownerNeeds} and must not let other users write.
   */
  private static Set<PosixFilePermission> permissions(String key, String mode, int ownerNeeds) {
    if (mode == null || !mode.matches("0?[0-7]{3}")) {
      throw new IllegalArgumentException(key + " must be an octal mode such as \"0"
          + Integer.toOctalString(ownerNeeds) + "\": " + mode);
    }
    int bits = Integer.parseInt(mode, 8);
    if ((bits & ownerNeeds) != ownerNeeds) {
      throw new IllegalArgumentException(key + " must give the owner at least 0"
          + Integer.toOctalString(ownerNeeds) + ": " + mode);
    }
    if ((bits & 0002) != 0) {
      throw new IllegalArgumentException(key + " must not let other users write: " + mode);
    }
    String rwx = "rwxrwxrwx";
    StringBuilder b = new StringBuilder(9);
    for (int i = 0; i < 9; i++) {
      b.append((bits & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
    }
    return PosixFilePermissions.fromString(b.toString());
  }
}
