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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of a test's own and the certificates it issues (or self-signed ones), with
 * the names, dates and key usages a test wants; each certificate as a server {@link SSLContext},
 * Vert.x key/cert options or PEM files. ECDSA P-256 keys: quick to make and to handshake with.
 */
public final class TestCa {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  private final Issued self;
  private final Path pemFile;

  private TestCa(Issued self, Path pemFile) {
    this.self = self;
    this.pemFile = pemFile;
  }

  /** A new authority called {@code commonName}, valid from yesterday to tomorrow, kept in memory. */
  public static TestCa create(String commonName) throws Exception {
    return new TestCa(new Leaf(commonName, null).authority().issue(), null);
  }

  /** A new authority called {@code commonName}, its certificate written to {@code dir/<commonName>-ca.pem}. */
  public static TestCa create(String commonName, Path dir) throws Exception {
    Issued self = new Leaf(commonName, null).authority().issue();
    return new TestCa(self, self.writeCertificate(dir.resolve(commonName + "-ca.pem")));
  }

  /** A self-signed certificate called {@code commonName}, to be given names, dates and usages. */
  public static Leaf selfSigned(String commonName) {
    return new Leaf(commonName, null);
  }

  /** A certificate called {@code commonName} this authority signs, to be given names, dates and usages. */
  public Leaf leaf(String commonName) {
    return new Leaf(commonName, self);
  }

  /** A server certificate for {@code dnsNames} (the first is its common name), valid from yesterday to tomorrow. */
  public Issued issue(String... dnsNames) throws Exception {
    return leaf(dnsNames[0]).dns(dnsNames).issue();
  }

  /** The authority's certificate, to trust. */
  public X509Certificate certificate() {
    return self.certificate();
  }

  /** The authority's certificate as a PEM file, to trust (null for one kept in memory). */
  public Path pemFile() {
    return pemFile;
  }

  /** The authority's own key pair and certificate (e.g. to sign with, or to present as a leaf). */
  public Issued issued() {
    return self;
  }

  /** A certificate being made: by default valid from yesterday to tomorrow, with no names. */
  public static final class Leaf {

    private final String commonName;
    private final Issued issuer;
    private final List<GeneralName> names = new ArrayList<>();
    private final List<KeyPurposeId> purposes = new ArrayList<>();
    private Instant notBefore = Instant.now().minus(1, ChronoUnit.DAYS);
    private Instant notAfter = Instant.now().plus(1, ChronoUnit.DAYS);
    private boolean authority;

    private Leaf(String commonName, Issued issuer) {
      this.commonName = commonName;
      this.issuer = issuer;
    }

    public Leaf dns(String... dnsNames) {
      return dns(List.of(dnsNames));
    }

    public Leaf dns(List<String> dnsNames) {
      dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      return this;
    }

    public Leaf ip(String... addresses) {
      for (String address : addresses) {
        names.add(new GeneralName(GeneralName.iPAddress, address));
      }
      return this;
    }

    /** Valid between two instants: in the past for an expired certificate. */
    public Leaf validity(Instant from, Instant until) {
      this.notBefore = from;
      this.notAfter = until;
      return this;
    }

    /** Extended key usages, e.g. server and client authentication for a cluster node. */
    public Leaf purposes(KeyPurposeId... ids) {
      purposes.addAll(List.of(ids));
      return this;
    }

    private Leaf authority() {
      this.authority = true;
      return this;
    }

    public Issued issue() throws Exception {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=" + commonName);
      X500Name issuerName = issuer == null ? subject
          : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
          BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
          keys.getPublic());
      if (authority) {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else if (issuer != null) {
        // A self-signed leaf stays without it: some DANE tests publish one as a trust anchor.
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      }
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      if (!purposes.isEmpty()) {
        builder.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
      }
      KeyPair signer = issuer == null ? keys : issuer.keys();
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
      List<X509Certificate> chain = new ArrayList<>(List.of(certificate));
      if (issuer != null) {
        chain.addAll(issuer.chain());
      }
      return new Issued(keys, certificate, List.copyOf(chain));
    }
  }

  /** A key pair and its certificate, with the chain from it up to its authority (just itself if self-signed). */
  public record Issued(KeyPair keys, X509Certificate certificate, List<X509Certificate> chain) {

    /** A server context presenting the chain. */
    public SSLContext serverContext() throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = "test".toCharArray();
      store.setKeyEntry("server", keys.getPrivate(), password, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    }

    /** For a Vert.x server ({@code HttpServerOptions.setKeyCertOptions}): the key and the chain. */
    public PemKeyCertOptions keyCertOptions() throws Exception {
      return new PemKeyCertOptions().setKeyValue(Buffer.buffer(keyPem())).setCertValue(Buffer.buffer(chainPem()));
    }

    /** Writes the certificate alone as PEM to {@code file}. */
    public Path writeCertificate(Path file) throws Exception {
      return Files.writeString(file, pem("CERTIFICATE", certificate.getEncoded()));
    }

    /** Writes the private key as PEM (PKCS#8) to {@code file}. */
    public Path writeKey(Path file) throws Exception {
      return Files.writeString(file, keyPem());
    }

    private String chainPem() throws Exception {
      StringBuilder pem = new StringBuilder();
      for (X509Certificate c : chain) {
        pem.append(pem("CERTIFICATE", c.getEncoded()));
      }
      return pem.toString();
    }

    private String keyPem() {
      return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
