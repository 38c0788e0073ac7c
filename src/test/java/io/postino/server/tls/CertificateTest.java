package io.postino.server.tls;

import io.postino.PostinoInternals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Postino;
import io.postino.PostinoOptions;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the server's certificate comes from: generated at first start and kept, or configured PEM
 * files in the forms openssl writes; replaced files are picked up without a restart; a key that
 * does not belong to its certificate is refused.
 */
class CertificateTest {

  @TempDir
  Path dir;
  TestServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  private X509Certificate served() throws Exception {
    try (SmtpTestClient c = server.connect()) {
      c.startTls();
      expect(c.command("EHLO client.example"), 250);
      Certificate[] chain = c.tlsSession().getPeerCertificates();
      return (X509Certificate) chain[0];
    }
  }

  @Test
  void aSelfSignedCertificateIsGeneratedOnceAndKept() throws Exception {
    server = new TestServer(dir).start();
    Path key = dir.resolve("tls").resolve(SelfSignedCertificate.KEY_FILE);
    assertTrue(Files.exists(key));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    X509Certificate first = served();
    assertEquals("CN=mx.test.example", first.getSubjectX500Principal().getName());
    assertEquals("EC", first.getPublicKey().getAlgorithm());
    assertTrue(first.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("mx.test.example")));
    server.close();

    server = new TestServer(dir).start();
    assertEquals(first, served(), "the same certificate after a restart");
  }

  @Test
  void configuredFilesReplaceTheGeneratedOneAndReloadWhenTheyChange() throws Exception {
    Path cert = dir.resolve("conf").resolve("cert.pem");
    Path key = dir.resolve("conf").resolve("key.pem");
    X509Certificate first = SelfSignedCertificate.write("first.example", cert, key);
    server = new TestServer(dir);
    server.tls().put("certificate", cert.toString()).put("key", key.toString()).put("watchInterval", 0.05);
    server.start();
    assertEquals(first, served());
    assertTrue(Files.notExists(dir.resolve("tls")), "nothing generated");

    CompletableFuture<X509Certificate> reloaded = new CompletableFuture<>();
    PostinoInternals.tls(server.postino).reloadHandler(reloaded::complete);
    X509Certificate second = SelfSignedCertificate.write("second.example", cert, key);
    assertNotEquals(first, second);
    assertEquals(second, reloaded.get(20, TimeUnit.SECONDS));
    assertEquals(second, served());
    assertFalse(server.postino.reloadTls().await(), "the admin call: unchanged files, the same certificate");
  }

  /** The key forms {@code openssl ecparam -genkey} and {@code openssl genrsa -traditional} write. */
  @Test
  void traditionalPemKeysAndChainsWithTextAroundThemLoad() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair ecPair = ec.generateKeyPair();
    SubjectPublicKeyInfo ecPublic = SubjectPublicKeyInfo.getInstance(ecPair.getPublic().getEncoded());
    byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(384, ((ECPrivateKey) ecPair.getPrivate()).getS(),
        ecPublic.getPublicKeyData(), ASN1ObjectIdentifier.getInstance(ecPublic.getAlgorithm().getParameters()))
        .getEncoded();
    assertServes(ecPair, PemFiles.pem("EC PRIVATE KEY", sec1));

    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair rsaPair = rsa.generateKeyPair();
    byte[] pkcs1 = PrivateKeyInfo.getInstance(rsaPair.getPrivate().getEncoded()).parsePrivateKey().toASN1Primitive()
        .getEncoded();
    assertServes(rsaPair, PemFiles.pem("RSA PRIVATE KEY", pkcs1));
  }

  private void assertServes(KeyPair pair, String keyPem) throws Exception {
    X509Certificate cert = SelfSignedCertificate.certificate("mx.test.example", pair);
    Path certFile = Files.writeString(dir.resolve("cert.pem"),
        "Bag Attributes\n    friendlyName: test\n" + PemFiles.pem("CERTIFICATE", cert.getEncoded()));
    Path keyFile = Files.writeString(dir.resolve("key.pem"), keyPem);
    server = new TestServer(dir);
    server.tls().put("certificate", certFile.toString()).put("key", keyFile.toString());
    server.start();
    assertEquals(cert, served());
    server.close();
    server = null;
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsRefusedAtStart() throws Exception {
    Path cert = dir.resolve("a.crt");
    Path key = dir.resolve("a.key");
    SelfSignedCertificate.write("a.example", cert, key);
    SelfSignedCertificate.write("b.example", dir.resolve("b.crt"), key);
    server = new TestServer(dir);
    server.tls().put("certificate", cert.toString()).put("key", key.toString());
    Exception e = assertThrows(Exception.class, server::start);
    assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
  }

  @Test
  void aCertificateWithoutItsKeyIsAConfigurationError() {
    server = new TestServer(dir);
    server.tls().put("certificate", dir.resolve("only.crt").toString());
    Exception e = assertThrows(Exception.class, server::start);
    assertTrue(e.getMessage().contains("tls.certificate and tls.key go together"), e.getMessage());
  }

  @Test
  void theImplicitTlsListenerNeedsTls() {
    server = new TestServer(dir).withSmtps();
    server.tls().put("enabled", false);
    server.vertx = io.vertx.core.Vertx.vertx();
    Exception e = assertThrows(Exception.class,
        () -> Postino.start(server.vertx, new PostinoOptions(server.config)).await());
    assertTrue(e.getMessage().contains("smtps"), e.getMessage());
  }
}
