package io.postino.delivery;

import io.postino.tlspolicy.StsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Checks, after the handshake, the certificate a host presented in a session that did not verify
 * it: MTA-STS {@code testing} (RFC 8461 section 5) sends the mail whatever it finds, and reports
 * what a verifying session would have seen. Same rules as the verifying handshake: a chain to a
 * trusted authority (the JVM's, or {@code trustedCertificates}), and a DNS name of the certificate
 * that matches the host (RFC 8461 section 4.2: subjectAltName only, a wildcard for one label).
 * The trust store is read once, on a worker.
 */
final class PeerCheck {

  private final Vertx vertx;
  private final List<String> trustedCertificates;
  private Future<X509TrustManager> trust;

  PeerCheck(Vertx vertx, List<String> trustedCertificates) {
    this.vertx = vertx;
    this.trustedCertificates = List.copyOf(trustedCertificates);
  }

  /** Null when the peer of {@code session} passes for {@code host}, else the RFC 8460 result type. */
  Future<String> resultType(SSLSession session, String host) {
    X509Certificate[] chain;
    try {
      Certificate[] certificates = session.getPeerCertificates();
      chain = new X509Certificate[certificates.length];
      for (int i = 0; i < certificates.length; i++) {
        chain[i] = (X509Certificate) certificates[i];
      }
    } catch (SSLPeerUnverifiedException | ClassCastException e) {
      return Future.succeededFuture("validation-failure");
    }
    return trust().map(tm -> {
      try {
        // "UNKNOWN": the key exchange does not matter here, only the chain (TLS 1.3 passes the same)
        tm.checkServerTrusted(chain, "UNKNOWN");
      } catch (Exception e) {
        return TlsFailures.resultType(e);
      }
      return StsPolicy.matches(dnsNames(chain[0]), host) ? null : "certificate-host-mismatch";
    });
  }

  private synchronized Future<X509TrustManager> trust() {
    if (trust == null || trust.failed()) {
      trust = vertx.executeBlocking(this::load, false);
    }
    return trust;
  }

  private X509TrustManager load() throws Exception {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (trustedCertificates.isEmpty()) {
      tmf.init((KeyStore) null);
    } else {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      int n = 0;
      for (String file : trustedCertificates) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
          Collection<? extends Certificate> certificates = factory.generateCertificates(in);
          for (Certificate c : certificates) {
            store.setCertificateEntry("trusted-" + n++, c);
          }
        }
      }
      tmf.init(store);
    }
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X.509 trust manager");
  }

  private static List<String> dnsNames(X509Certificate leaf) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          // 2: dNSName (RFC 5280 section 4.2.1.6)
          if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0))) {
            names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return List.of();
    }
    return names;
  }
}
