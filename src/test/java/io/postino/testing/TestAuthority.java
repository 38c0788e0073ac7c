package io.postino.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests (ECDSA P-256): its certificate as a PEM file to trust, and
 * server certificates it issues for given DNS names, as Vert.x key/cert options or an
 * {@link SSLContext}, each with the chain up to the authority.
 */
public final class TestAuthority {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final KeyPair keys;
  private final X509Certificate certificate;
  private final Path pemFile;
  private final Path dir;

  private TestAuthority(KeyPair keys, X509Certificate certificate, Path pemFile, Path dir) {
    this.keys = keys;
    this.certificate = certificate;
    this.pemFile = pemFile;
    this.dir = dir;
  }

  /** A new authority named {@code name}, its certificate written to {@code dir/<name>.pem}. */
  public static TestAuthority create(String name, Path dir) throws Exception {
    KeyPair keys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.DAYS)),
        Date.from(now.plus(1, ChronoUnit.DAYS)), subject, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate cert = sign(builder, keys);
    Path pem = dir.resolve(name + ".pem");
    Files.writeString(pem, pem(cert));
    return new TestAuthority(keys, cert, pem, dir);
  }

  /** The authority's certificate, to trust. */
  public Path pemFile() {
    return pemFile;
  }

  /** A server certificate the authority issued. */
  public record Issued(KeyPair keys, X509Certificate certificate, X509Certificate authority, Path dir) {

    /** For a Vert.x server ({@code HttpServerOptions.setKeyCertOptions}): the key and the chain. */
    public PemKeyCertOptions keyCertOptions() {
      String key = "-----BEGIN PRIVATE KEY-----\n" + base64(keys.getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      try {
        return new PemKeyCertOptions().setKeyValue(Buffer.buffer(key))
            .setCertValue(Buffer.buffer(pem(certificate) + pem(authority)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** For the test SMTP servers ({@code SmtpSink.startWithTls}): the server side, the leaf as PEM. */
    public TestCertificate testCertificate() throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = "test".toCharArray();
      store.setKeyEntry("server", keys.getPrivate(), password, new X509Certificate[] {certificate, authority});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      Path file = Files.createTempFile(dir, "leaf", ".pem");
      Files.writeString(file, pem(certificate));
      return TestCertificate.of(context, file);
    }
  }

  /** A server certificate for {@code dnsNames}, valid from yesterday to tomorrow. */
  public Issued issue(String... dnsNames) throws Exception {
    KeyPair leaf = keyPair();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        new X500Name(certificate.getSubjectX500Principal().getName()), BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(1, ChronoUnit.DAYS)),
        new X500Name("CN=" + dnsNames[0]), leaf.getPublic());
    GeneralName[] names = new GeneralName[dnsNames.length];
    for (int i = 0; i < dnsNames.length; i++) {
      names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
    }
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    return new Issued(leaf, sign(builder, keys), certificate, dir);
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static String pem(X509Certificate cert) throws Exception {
    return "-----BEGIN CERTIFICATE-----\n" + base64(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
  }

  private static String base64(byte[] bytes) {
    return Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes);
  }
}
