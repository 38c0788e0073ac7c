package io.postino.intake;

import io.postino.smtp.Rfc5322Dates;
import io.postino.spool.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import javax.net.ssl.SSLSession;

/**
 * The {@code Received:} header a message gets on arrival (RFC 5321 section 4.4), in Postfix's
 * layout: the client (its HELO name only when that is a valid name, see {@link #fromClause}), the TLS protocol and cipher, the authenticated user (when configured), this
 * server and the protocol (ESMTP, ESMTPS, ESMTPA, ESMTPSA as RFC 3848 names them, UTF8SMTP... as
 * RFC 6531 does), the queue id, the recipient when there is only one, and the time. A message
 * made here (the event bus) gets {@link #local}.
 */
public final class ReceivedHeader {

  private ReceivedHeader() {
  }

  /**
   * RFC 3848: ESMTP, plus S with TLS and A when authenticated; UTF8SMTP instead of ESMTP for a
   * transaction with the SMTPUTF8 parameter (RFC 6531 section 3.7.3); plain SMTP after HELO.
   */
  public static String protocol(boolean esmtp, boolean smtpUtf8, boolean tls, boolean authenticated) {
    if (!esmtp) {
      return "SMTP";
    }
    return (smtpUtf8 ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (authenticated ? "A" : "");
  }

  /**
   * {@code client.example ([192.0.2.7])}, RFC 5321's Extended-Domain: the HELO name, then the
   * client's real address in parentheses. A HELO argument that is no valid host name or address
   * literal (see {@link HeloName}) gives {@code unknown ([192.0.2.7] helo=reduced)} instead, so
   * that whatever the client said, the first bracketed address is the one it connected from.
   */
  static String fromClause(String helo, String clientAddress) {
    String literal = "[" + (clientAddress.indexOf(':') >= 0 ? "IPv6:" : "") + clientAddress + "]";
    if (HeloName.isValid(helo)) {
      return helo + " (" + literal + ")";
    }
    return "unknown (" + literal + " helo=" + HeloName.reduced(helo) + ")";
  }

  /**
   * @param tls the session's TLS parameters, or null without TLS
   * @param nameUser whether to name the authenticated user, if any (otherwise only the protocol
   *     says the client authenticated)
   */
  public static String format(Envelope e, String hostname, SSLSession tls, boolean nameUser) {
    StringBuilder sb = new StringBuilder(300);
    sb.append("Received: from ").append(fromClause(e.helo(), e.clientAddress())).append("\r\n");
    if (tls != null) {
      sb.append("\t(using ").append(tls.getProtocol()).append(" with cipher ").append(tls.getCipherSuite())
          .append(")\r\n");
    }
    if (nameUser && e.authenticatedUser() != null) {
      sb.append("\t(Authenticated sender: ").append(e.authenticatedUser()).append(")\r\n");
    }
    sb.append("\tby ").append(hostname).append(" (Postino) with ").append(e.protocol())
        .append(" id ").append(e.queueId());
    if (e.recipients().size() == 1) {
      sb.append("\r\n\tfor ").append(e.recipients().get(0).address().path());
    }
    sb.append("; ").append(Rfc5322Dates.format(e.received())).append("\r\n");
    return sb.toString();
  }

  /** The header of a message from the event bus ({@code postino.send}): no client, protocol LOCAL. */
  static byte[] local(String hostname, String queueId, Instant received) {
    return ("Received: from local (event bus)\r\n\tby " + hostname + " (Postino) with LOCAL id " + queueId + ";\r\n\t"
        + Rfc5322Dates.format(received) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }
}
