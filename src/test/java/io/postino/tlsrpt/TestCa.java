package io.postino.tlsrpt;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test certificate authority and a server certificate it issued for 127.0.0.1, as PEM files: the
 * authority's certificate to trust, the server's key and certificate for a Vert.x HTTPS server.
 */
record TestCa(Path caCertificate, Path serverKey, Path serverCertificate) {

  static TestCa create(Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair caKeys = generator.generateKeyPair();
    KeyPair serverKeys = generator.generateKeyPair();
    Instant now = Instant.now();
    X500Name caName = new X500Name("CN=Postino Test CA");
    JcaX509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE,
        Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(1, ChronoUnit.DAYS)), caName, caKeys.getPublic());
    ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    X509Certificate caCert = new JcaX509CertificateConverter()
        .getCertificate(ca.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    JcaX509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO,
        Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(1, ChronoUnit.DAYS)),
        new X500Name("CN=reports.test"), serverKeys.getPublic());
    server.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    X509Certificate serverCert = new JcaX509CertificateConverter()
        .getCertificate(server.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    TestCa files = new TestCa(dir.resolve("ca.pem"), dir.resolve("server-key.pem"), dir.resolve("server.pem"));
    Files.writeString(files.caCertificate(), pem("CERTIFICATE", caCert.getEncoded()));
    Files.writeString(files.serverKey(), pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
    Files.writeString(files.serverCertificate(), pem("CERTIFICATE", serverCert.getEncoded()));
    return files;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
