package io.postino.server.auth;

import io.postino.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The users file: one user per line, {@code name:bcrypt-hash} or {@code
 * name:bcrypt-hash:address,address} for the extra sender addresses the user may use; blank lines
 * and lines starting with {@code #} are comments. Reading, and the edits of {@code postino users},
 * which keep every other line as it was. Blocking.
 *
 * <p>SECURITY: only bcrypt hashes are accepted: a line with anything else (a plaintext password)
 * is skipped with a warning, never used. The file is rewritten atomically with mode 0600.
 */
public final class UsersFile {

  /** bcrypt measures at most 72 bytes of password; longer ones would be cut silently. */
  public static final int MAX_PASSWORD_BYTES = 72;
  public static final int MAX_NAME_LENGTH = 255;

  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  private static final String HEADER = "# Postino users (postino users add/remove): name:bcrypt-hash[:address,...]";

  /** One user: the login name, the password hash, and extra addresses it may send from. */
  public record User(String name, String hash, List<String> addresses) {
    public User {
      addresses = List.copyOf(addresses);
    }

    String line() {
      return name + ":" + hash + (addresses.isEmpty() ? "" : ":" + String.join(",", addresses));
    }
  }

  private UsersFile() {
  }

  /** The users of the file, by name; a missing file has none. Malformed lines go to {@code warn}. */
  public static Map<String, User> read(Path file, Consumer<String> warn) throws IOException {
    Map<String, User> users = new LinkedHashMap<>();
    int n = 0;
    for (String line : lines(file)) {
      n++;
      if (isComment(line)) {
        continue;
      }
      User user = parse(line);
      if (user == null) {
        warn.accept(file + " line " + n + ": not name:bcrypt-hash[:addresses], ignored");
      } else {
        users.put(user.name(), user);
      }
    }
    return users;
  }

  /** Adds the user or replaces its hash; {@code addresses} null keeps the ones it had. */
  public static void put(Path file, String name, String hash, List<String> addresses) throws IOException {
    checkName(name);
    if (!BCRYPT.matcher(hash).matches()) {
      throw new IllegalArgumentException("not a bcrypt hash");
    }
    List<String> out = new ArrayList<>();
    boolean replaced = false;
    for (String line : lines(file)) {
      User old = isComment(line) ? null : parse(line);
      if (old != null && old.name().equals(name)) {
        if (!replaced) {
          out.add(new User(name, hash, addresses != null ? addresses : old.addresses()).line());
          replaced = true;
        }
      } else {
        out.add(line);
      }
    }
    if (out.isEmpty()) {
      out.add(HEADER);
    }
    if (!replaced) {
      out.add(new User(name, hash, addresses != null ? addresses : List.of()).line());
    }
    write(file, out);
  }

  /** Removes the user; false when it was not in the file. */
  public static boolean remove(Path file, String name) throws IOException {
    List<String> out = new ArrayList<>();
    boolean removed = false;
    for (String line : lines(file)) {
      User old = isComment(line) ? null : parse(line);
      if (old != null && old.name().equals(name)) {
        removed = true;
      } else {
        out.add(line);
      }
    }
    if (removed) {
      write(file, out);
    }
    return removed;
  }

  /** A bcrypt hash of the password with the given cost (4 to 31; each step doubles the work). */
  public static String hash(String password, int cost) {
    if (password.isEmpty()) {
      throw new IllegalArgumentException("empty password");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      throw new IllegalArgumentException("password longer than " + MAX_PASSWORD_BYTES + " bytes (bcrypt's limit)");
    }
    return BCrypt.hashpw(password, BCrypt.gensalt(cost));
  }

  /**
   * Refuses names that could not be written to or read back from the file, or that could break the
   * Received header comment they are written into: a name is 1 to 255 printable US-ASCII
   * characters, without {@code : , ( ) \} and not starting with {@code #}.
   */
  public static void checkName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.startsWith("#")) {
      throw new IllegalArgumentException("invalid user name: must be 1 to " + MAX_NAME_LENGTH
          + " characters, not starting with #");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f || ":,()\\".indexOf(c) >= 0) {
        throw new IllegalArgumentException("invalid user name: printable US-ASCII only, without spaces or : , ( ) \\");
      }
    }
  }

  /** An address a user may send from: {@code local@domain}, checked as loosely as a sender can be. */
  public static String checkAddress(String address) {
    int at = address.lastIndexOf('@');
    if (at <= 0 || at == address.length() - 1 || address.chars().anyMatch(c -> c <= ' ' || c == ':' || c == ',')) {
      throw new IllegalArgumentException("invalid address: " + address);
    }
    return address.toLowerCase(Locale.ROOT);
  }

  private static User parse(String line) {
    String[] parts = line.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || !BCRYPT.matcher(parts[1]).matches()) {
      return null;
    }
    try {
      checkName(parts[0]);
      List<String> addresses = new ArrayList<>();
      if (parts.length == 3 && !parts[2].isBlank()) {
        for (String a : parts[2].split(",")) {
          addresses.add(checkAddress(a.trim()));
        }
      }
      return new User(parts[0], parts[1], addresses);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean isComment(String line) {
    return line.isBlank() || line.stripLeading().startsWith("#");
  }

  private static List<String> lines(Path file) throws IOException {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  private static void write(Path file, List<String> lines) throws IOException {
    StringBuilder sb = new StringBuilder();
    lines.forEach(l -> sb.append(l).append('\n'));
    AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8), true);
  }
}
