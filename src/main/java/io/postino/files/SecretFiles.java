package io.postino.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A random secret kept in a file of its own (the admin API's token, the SRS key): read when the file
 * is there, otherwise made from 32 random octets and written, owner-only (mode 0600), atomically
 * (see {@link AtomicFiles}), so a server that dies while writing it never leaves half a secret.
 * Blocking.
 */
public final class SecretFiles {

  private SecretFiles() {
  }

  /**
   * The secret in {@code file} (its first line, trimmed), written there first as URL-safe base64
   * without padding when the file does not exist.
   *
   * @throws IOException when the file cannot be read or written, or is empty
   */
  public static String readOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      String secret = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (secret.isEmpty()) {
        throw new IOException("empty, expected a secret");
      }
      return secret;
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    AtomicFiles.write(file, (secret + "\n").getBytes(StandardCharsets.US_ASCII), true);
    return secret;
  }
}
