package io.postino.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 8463 appendix A: the example message signed with its Ed25519 and RSA test keys. Both
 * signature algorithms are deterministic, so the body hash and both {@code b=} values must come out
 * exactly as printed in the RFC.
 */
class Rfc8463VectorTest {

  static final String ED25519_SEED = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
  static final String ED25519_RECORD = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
  static final String RSA_KEY = """
      -----BEGIN RSA PRIVATE KEY-----
      MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi
      Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM
      KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB
      AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm
      6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe
      zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy
      6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc
      uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy
      WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd
      WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a
      licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst
      o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe
      uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL
      -----END RSA PRIVATE KEY-----
      """;

  static final List<String> HEADERS = List.of(
      "From: Joe SixPack <joe@football.example.com>",
      "To: Suzie Q <suzie@shopping.example.net>",
      "Subject: Is dinner ready?",
      "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
      "Message-ID: <20030712040037.46341.5F8J@football.example.com>");
  static final String BODY = "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";

  private static final String ED25519_SIGNATURE = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
      + " d=football.example.com; i=@football.example.com;\r\n"
      + " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
      + " subject : date : message-id : from : subject : date;\r\n"
      + " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
      + " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
      + " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";
  private static final String RSA_SIGNATURE = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
      + " d=football.example.com; i=@football.example.com;\r\n"
      + " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
      + " date : message-id : from : subject : date;\r\n"
      + " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
      + " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
      + " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
      + " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=";

  /** The signed message of appendix A.3, both signatures in front. */
  static String signedMessage() {
    return ED25519_SIGNATURE + "\r\n" + RSA_SIGNATURE + "\r\n" + String.join("\r\n", HEADERS) + "\r\n\r\n" + BODY;
  }

  static PrivateKey ed25519Key() throws Exception {
    return KeyFactory.getInstance("Ed25519").generatePrivate(
        new EdECPrivateKeySpec(NamedParameterSpec.ED25519, Base64.getDecoder().decode(ED25519_SEED)));
  }

  @Test
  void bodyHashAsPrinted() {
    BodyHash hash = new BodyHash(Canonicalization.RELAXED);
    byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
    hash.update(body, 0, body.length);
    assertEquals("2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", Base64.getEncoder().encodeToString(hash.digest()));
  }

  @Test
  void ed25519SignatureAsPrinted() throws Exception {
    PrivateKey key = ed25519Key();
    assertEquals(Algorithm.ED25519_SHA256, Algorithm.of(key));
    assertEquals(b(ED25519_SIGNATURE), sign(Algorithm.ED25519_SHA256, key, ED25519_SIGNATURE));
    // and the JDK's public key for this seed is the one the RFC publishes
    KeyRecord published = KeyRecord.parse(ED25519_RECORD);
    byte[] data = signedData(ED25519_SIGNATURE);
    assertTrue(Algorithm.ED25519_SHA256.verify(published.key(), data, Base64.getDecoder().decode(b(ED25519_SIGNATURE))));
  }

  @Test
  void rsaSignatureAsPrinted(@TempDir Path dir) throws Exception {
    Path pem = dir.resolve("test.pem");
    Files.writeString(pem, RSA_KEY);
    // the RFC's RSA key is a 1024-bit test key: too short to configure, fine to reproduce its signature
    PrivateKey key = KeyFiles.read(pem);
    assertEquals(b(RSA_SIGNATURE), sign(Algorithm.RSA_SHA256, key, RSA_SIGNATURE));
  }

  /** Signs what a verifier of {@code signatureField} checks, as SignatureBuilder does. */
  private static String sign(Algorithm algorithm, PrivateKey key, String signatureField) throws Exception {
    return Base64.getEncoder().encodeToString(algorithm.sign(key, signedData(signatureField)));
  }

  /** RFC 6376 section 3.7: the signed fields by h=, then the signature field with b= empty, no CRLF. */
  static byte[] signedData(String signatureField) {
    StringBuilder data = new StringBuilder();
    for (String name : List.of("from", "to", "subject", "date", "message-id")) {
      for (String h : HEADERS) {
        if (h.toLowerCase().startsWith(name + ":")) {
          data.append(Canonicalization.RELAXED.header(h));
        }
      }
    }
    String own = Canonicalization.RELAXED.header(signatureField.replaceAll("(;\\s*b=)[^;]*$", "$1"));
    data.append(own, 0, own.length() - 2);
    return data.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static String b(String signatureField) {
    return signatureField.substring(signatureField.lastIndexOf("b=") + 2).replaceAll("\\s", "");
  }
}
