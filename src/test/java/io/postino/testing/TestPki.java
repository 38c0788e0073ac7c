package io.postino.testing;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
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
 * Certificates made in the test: self-signed ones, an authority and the certificates it issues,
 * with the names and dates a test wants, and a server {@link SSLContext} presenting a chain. ECDSA
 * P-256 keys (quick to make and to handshake with).
 */
public final class TestPki {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  /** A key pair and its certificate. */
  public record Issued(KeyPair keys, X509Certificate certificate) {
  }

  private TestPki() {
  }

  /** A certificate authority (basic constraints CA), valid from yesterday to tomorrow. */
  public static Issued authority(String commonName) throws Exception {
    return make(commonName, List.of(), null, true, Instant.now().minus(1, ChronoUnit.DAYS),
        Instant.now().plus(1, ChronoUnit.DAYS));
  }

  /** A server certificate with these DNS names, issued by {@code issuer} or self-signed (null), valid now. */
  public static Issued server(String commonName, List<String> dnsNames, Issued issuer) throws Exception {
    return server(commonName, dnsNames, issuer, Instant.now().minus(1, ChronoUnit.DAYS),
        Instant.now().plus(1, ChronoUnit.DAYS));
  }

  /** A server certificate valid between two instants (in the past for an expired one). */
  public static Issued server(String commonName, List<String> dnsNames, Issued issuer, Instant notBefore,
      Instant notAfter) throws Exception {
    return make(commonName, dnsNames, issuer, false, notBefore, notAfter);
  }

  /** A server context presenting {@code leaf} followed by {@code above} (intermediates, the authority). */
  public static SSLContext serverContext(Issued leaf, X509Certificate... above) throws Exception {
    X509Certificate[] chain = new X509Certificate[above.length + 1];
    chain[0] = leaf.certificate();
    System.arraycopy(above, 0, chain, 1, above.length);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry("server", leaf.keys().getPrivate(), password, chain);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  private static Issued make(String commonName, List<String> dnsNames, Issued issuer, boolean ca, Instant notBefore,
      Instant notAfter) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    X500Name subject = new X500Name("CN=" + commonName);
    X500Name issuerName = issuer == null ? subject
        : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
        BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
        keys.getPublic());
    if (ca) {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }
    if (!dnsNames.isEmpty()) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(dnsNames.stream()
          .map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
    }
    KeyPair signer = issuer == null ? keys : issuer.keys();
    X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    return new Issued(keys, certificate);
  }
}
