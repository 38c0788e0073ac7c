package io.postino.testing;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of a test's own (ECDSA P-256), as a cluster's CA: its certificate as a
 * PEM file to trust, and node certificates it signs, good for both ends of a TLS connection
 * (server and client), each written as a PEM certificate and a PKCS#8 PEM key.
 */
public final class TestCa {

  private static final AtomicLong serial = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final X500Name name;
  private final KeyPair keys;
  /** The CA's certificate, PEM: what a node trusts. */
  public final Path certificate;

  /** A node's certificate and key, PEM files. */
  public record Node(Path certificate, Path key) {
  }

  private TestCa(Path dir, X500Name name, KeyPair keys, Path certificate) {
    this.dir = dir;
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new CA called {@code commonName}, its files under {@code dir}. */
  public static TestCa create(String commonName, Path dir) throws Exception {
    KeyPair keys = newKeys();
    X500Name name = new X500Name("CN=" + commonName);
    JcaX509v3CertificateBuilder builder = builder(name, name, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    X509Certificate cert = sign(builder, keys.getPrivate());
    Path pem = dir.resolve(commonName + "-ca.pem");
    Files.writeString(pem, pem("CERTIFICATE", cert.getEncoded()));
    return new TestCa(dir, name, keys, pem);
  }

  /** A certificate for node {@code commonName}, signed by this CA. */
  public Node issue(String commonName) throws Exception {
    KeyPair nodeKeys = newKeys();
    JcaX509v3CertificateBuilder builder = builder(name, new X500Name("CN=" + commonName), nodeKeys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    X509Certificate cert = sign(builder, keys.getPrivate());
    Path certFile = dir.resolve(commonName + ".pem");
    Path keyFile = dir.resolve(commonName + ".key");
    Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyFile, pem("PRIVATE KEY", nodeKeys.getPrivate().getEncoded()));
    return new Node(certFile, keyFile);
  }

  private static KeyPair newKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serial.incrementAndGet()),
        Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject,
        subjectKeys.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey issuerKey) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
