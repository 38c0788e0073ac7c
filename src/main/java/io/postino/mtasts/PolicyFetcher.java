package io.postino.mtasts;

import io.postino.dns.DnsLookups;
import io.postino.tlspolicy.StsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Fetches a domain's policy from {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461
 * section 3.3): the policy host's address from Postino's resolver (not the JVM's, which would block
 * an event loop), then one GET over TLS to that address with SNI, Host and certificate check all for
 * {@code mta-sts.<domain>}; a {@code 200} with {@code text/plain} of at most {@value #MAX_SIZE}
 * octets, within the timeout, and nothing else.
 *
 * <p>SECURITY: the certificate must chain to a trusted authority (the JVM's, or
 * {@code delivery.trustedCertificates} when set) and name the policy host; redirects are not
 * followed (section 3.3), so the policy comes from that host or not at all.
 */
final class PolicyFetcher {

  static final String PATH = "/.well-known/mta-sts.txt";
  /** RFC 8461 section 3.3 suggests 64 KiB as the most a sender need take. */
  static final int MAX_SIZE = 64 * 1024;

  /** The RFC 8460 result types of a failed fetch. */
  static final String FETCH_ERROR = "sts-policy-fetch-error";
  static final String INVALID = "sts-policy-invalid";
  static final String WEBPKI_INVALID = "sts-webpki-invalid";

  /** What one fetch gave: a policy, or a failure with its RFC 8460 result type. */
  record Fetched(StsPolicy policy, String resultType, String detail) {
    static Fetched failed(String resultType, String detail) {
      return new Fetched(null, resultType, detail);
    }
  }

  private final DnsLookups dns;
  private final WebClient client;
  private final int port;
  private final long timeoutMillis;

  /**
   * @param trustedCertificates PEM files of the authorities to trust instead of the JVM's (empty: the JVM's)
   * @param port                the HTTPS port (443 but in labs and tests)
   * @param timeout             the most a fetch may take, connecting included
   */
  PolicyFetcher(Vertx vertx, DnsLookups dns, List<String> trustedCertificates, int port, Duration timeout) {
    this.dns = dns;
    this.port = port;
    this.timeoutMillis = timeout.toMillis();
    WebClientOptions options = new WebClientOptions()
        .setSsl(true)
        .setVerifyHost(true)
        .setForceSni(true)
        .setFollowRedirects(false)
        .setKeepAlive(false)
        .setUserAgentEnabled(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .setSslHandshakeTimeout(timeoutMillis)
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (!trustedCertificates.isEmpty()) {
      PemTrustOptions trust = new PemTrustOptions();
      trustedCertificates.forEach(trust::addCertPath);
      options.setTrustOptions(trust);
    }
    this.client = WebClient.create(vertx, options);
  }

  /** The policy host of {@code domain}. */
  static String policyHost(String domain) {
    return "mta-sts." + domain;
  }

  /** The policy {@code domain} serves, for its TXT record {@code id}. Never fails. */
  Future<Fetched> fetch(String domain, String id) {
    String host = policyHost(domain);
    return address(host).compose(address -> client
            .request(HttpMethod.GET, SocketAddress.inetSocketAddress(port, address),
                new RequestOptions().setHost(host).setPort(port).setURI(PATH).setSsl(true))
            .followRedirects(false)
            .idleTimeout(timeoutMillis)
            .as(new LimitedBody(MAX_SIZE))
            .send()
            .timeout(timeoutMillis, TimeUnit.MILLISECONDS))
        .map(response -> read(response, host, id))
        .otherwise(e -> failure(host, e));
  }

  private Future<String> address(String host) {
    return dns.a(host).compose(a -> a.records().isEmpty() && !a.isTemporary() ? dns.aaaa(host)
        : Future.succeededFuture(a)).compose(answer -> {
          if (answer.isTemporary()) {
            return Future.failedFuture(new NoAddressException(host + ": " + answer.temporary()));
          }
          List<String> records = answer.records();
          return records.isEmpty() ? Future.failedFuture(new NoAddressException(host + " has no address"))
              : Future.succeededFuture(records.get(0));
        });
  }

  private static Fetched read(HttpResponse<Buffer> response, String host, String id) {
    if (response.statusCode() != 200) {
      return Fetched.failed(FETCH_ERROR, "https://" + host + PATH + " answered " + response.statusCode()
          + (response.statusCode() / 100 == 3 ? " (redirects are not followed)" : ""));
    }
    String type = response.getHeader("Content-Type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("text/plain")) {
      return Fetched.failed(INVALID, "https://" + host + PATH + " is " + type + ", not text/plain");
    }
    try {
      String text = response.body() == null ? "" : response.body().toString(StandardCharsets.UTF_8);
      return new Fetched(PolicyText.parse(text, id), null, null);
    } catch (PolicyText.InvalidPolicyException e) {
      return Fetched.failed(INVALID, "https://" + host + PATH + ": " + e.getMessage());
    }
  }

  private static Fetched failure(String host, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return Fetched.failed(WEBPKI_INVALID, "https://" + host + PATH + ": " + t.getMessage());
      }
    }
    return Fetched.failed(FETCH_ERROR, "https://" + host + PATH + ": " + e.getMessage());
  }

  private static final class NoAddressException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoAddressException(String message) {
      super(message, null, false, false);
    }
  }

  void close() {
    client.close();
  }
}
