package io.postino.server.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the self-signed certificate STARTTLS uses when none is configured, as Debian's Postfix
 * does with its "snakeoil" pair: an ECDSA P-256 key (cheap handshakes) and a certificate for this
 * server's host name, valid for ten years. Blocking: call it on a worker.
 *
 * <p>SECURITY: a self-signed certificate encrypts but proves nothing; MTAs deliver over it
 * (opportunistic TLS, RFC 3207 section 4.1), mail clients warn. The key file is written readable by
 * its owner only.
 */
final class SelfSignedCertificate {

  public static final String CERTIFICATE_FILE = "self-signed.crt";
  public static final String KEY_FILE = "self-signed.key";
  static final Duration VALIDITY = Duration.ofDays(3650);

  private SelfSignedCertificate() {
  }

  /** Generates a pair for {@code hostname} and writes it as PEM to {@code certificate} and {@code key}. */
  public static X509Certificate write(String hostname, Path certificate, Path key)
      throws IOException, GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair pair = generator.generateKeyPair();
    X509Certificate cert = certificate(hostname, pair);
    // the key first: a certificate without its key is never left behind
    PemFiles.writePrivate(key, PemFiles.pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    PemFiles.write(certificate, PemFiles.pem("CERTIFICATE", cert.getEncoded()).getBytes(StandardCharsets.US_ASCII));
    return cert;
  }

  /** A certificate for {@code hostname} with the key pair's public key, signed by its private key. */
  static X509Certificate certificate(String hostname, KeyPair pair) throws GeneralSecurityException, CertIOException {
    SecureRandom random = new SecureRandom();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostname).build();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
        new BigInteger(63, random).add(BigInteger.ONE),
        // a day of slack for clients whose clock runs late
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)),
        subject, pair.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(signatureAlgorithm(pair)).build(pair.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign the certificate", e);
    }
  }

  private static String signatureAlgorithm(KeyPair pair) {
    return pair.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
  }
}
