package io.postino.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.postino.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Key files are read at start, read again when they change, and a bad new file keeps the old keys. */
@ExtendWith(VertxExtension.class)
class SigningKeysTest {

  @TempDir
  Path dir;

  @Test
  void aReplacedKeyFileIsPickedUpWithoutRestart(Vertx vertx) throws Exception {
    Path file = dir.resolve("ed.pem");
    PrivateKey first = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
    PrivateKey second = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
    KeyFiles.write(file, first);
    DkimOptions options = new DkimOptions().setWatchInterval(Duration.ofMillis(50))
        .setDomains(Map.of("Signer.Example", List.of(new DkimOptions.KeyFile("s1", file.toString()))));
    SigningKeys keys = SigningKeys.start(vertx, options).await();
    try {
      assertEquals(first, keys.of("signer.example").get(0).key());
      assertEquals("s1._domainkey.signer.example", keys.of("signer.example").get(0).recordName());
      assertEquals(List.of(), keys.of("other.example"));

      KeyFiles.write(file, second);
      TestServer.await("the new key", () -> keys.of("signer.example").get(0).key().equals(second));

      Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
      assertThrows(Exception.class, () -> keys.reload().await());
      assertEquals(second, keys.of("signer.example").get(0).key(), "still signing with the last good key");
    } finally {
      keys.close();
    }
  }

  @Test
  void rsaKeysUnder2048BitsAreRefused(Vertx vertx) throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    Path file = dir.resolve("weak.pem");
    KeyFiles.write(file, rsa.generateKeyPair().getPrivate());
    DkimOptions options = new DkimOptions()
        .setDomains(Map.of("signer.example", List.of(new DkimOptions.KeyFile("weak", file.toString()))));
    Throwable e = assertThrows(Exception.class, () -> SigningKeys.start(vertx, options).await());
    assertEquals(true, e.getMessage().contains("1024 bits"), e.getMessage());
  }
}
