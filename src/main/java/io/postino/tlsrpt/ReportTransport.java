package io.postino.tlsrpt;

import io.postino.bus.RawMessage;
import io.postino.bus.SendReply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Takes a report to one destination of a domain's {@code rua}: a {@code mailto:} address gets it as
 * a message submitted on {@code postino.send} (so it is spooled, DKIM-signed where the node signs,
 * delivered and retried like any mail, from whichever node of the cluster holds the queue); an
 * {@code https:} URL gets it as the body of a POST ({@code application/tlsrpt+gzip}, RFC 8460
 * section 5.4), which succeeds with a 2xx status. The certificate of an HTTPS destination must
 * verify (the JVM's authorities, or {@code delivery.trustedCertificates}); redirects are not
 * followed.
 */
final class ReportTransport {

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final WebClient web;
  private final String sendAddress;
  private final String sender;
  private final Clock clock;

  ReportTransport(Vertx vertx, WebClient web, String sendAddress, String sender, Clock clock) {
    this.vertx = vertx;
    this.web = web;
    this.sendAddress = sendAddress;
    this.sender = sender;
    this.clock = clock;
  }

  /** Sends {@code report} to {@code destination}; the future says how it went, for the log. */
  Future<String> send(AggregateReport report, String destination) {
    if (destination.toLowerCase(Locale.ROOT).startsWith("mailto:")) {
      return mail(report, RuaRecord.mailbox(destination));
    }
    return post(report, destination);
  }

  private Future<String> mail(AggregateReport report, String to) {
    JsonObject request;
    try {
      byte[] message = ReportMessage.build(report, sender, List.of(to), clock.instant());
      request = RawMessage.octets(sender, List.of(to), message).toJson();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return vertx.eventBus().<JsonObject>request(sendAddress, request,
            new DeliveryOptions().setSendTimeout(TIMEOUT.toMillis()))
        .map(reply -> "queued as " + SendReply.fromJson(reply.body()).queueId());
  }

  private Future<String> post(AggregateReport report, String url) {
    try {
      return web.postAbs(url)
          .putHeader("Content-Type", ReportMessage.MEDIA_TYPE)
          .putHeader("TLS-Report-Domain", report.policyDomain())
          .putHeader("TLS-Report-Submitter", report.submitter())
          .timeout(TIMEOUT.toMillis())
          .sendBuffer(Buffer.buffer(report.gzip()))
          .compose(response -> response.statusCode() / 100 == 2
              ? Future.succeededFuture("HTTP " + response.statusCode())
              : Future.failedFuture("HTTP " + response.statusCode() + " " + response.statusMessage()));
    } catch (RuntimeException e) {
      // a URL the client cannot take
      return Future.failedFuture(e);
    }
  }
}
