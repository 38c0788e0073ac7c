package io.postino.bounce;

import io.postino.bus.RecipientResult;
import io.postino.smtp.MailAddress;
import io.postino.smtp.Rfc5322Dates;
import io.postino.smtp.MessageText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.message.BodyPartBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.message.MultipartBuilder;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawField;

/**
 * Builds delivery status notifications (RFC 3464) with Apache Mime4j: a
 * {@code multipart/report; report-type=delivery-status} with a human-readable part, a
 * {@code message/delivery-status} part (one block per recipient: Final-Recipient, Action,
 * Status, Remote-MTA, Diagnostic-Code...), and the original message's headers as
 * {@code text/rfc822-headers} or the whole message as {@code message/rfc822}.
 *
 * <p>Pure: the caller reads the part to return from the spool and supplies it.
 *
 * <p>SECURITY: every value written into a header or a status field has its control characters
 * replaced, so a reply text or an address cannot add lines to the report. When an address needs
 * UTF-8 (SMTPUTF8 mail) the status part is {@code message/global-delivery-status} (RFC 6533);
 * otherwise it is kept to US-ASCII.
 */
final class DsnBuilder {

  /**
   * What the report says of its recipients: failed for good, still being tried, or delivered
   * (each one's action then {@code delivered} or {@code relayed}, from its result).
   */
  enum Kind { FAILED, DELAYED, SUCCESS }

  /**
   * One recipient of the report.
   *
   * @param expired the result was temporary, but the message has been in the queue too long
   */
  record Item(MailAddress recipient, String orcpt, RecipientResult result, boolean expired) {
  }

  /**
   * Everything a report says.
   *
   * @param returned      the original headers, or the whole original message when {@code whole}
   * @param willRetryUntil for {@link Kind#DELAYED}: when the queue gives up
   */
  record Report(
      Kind kind,
      String reportingMta,
      String messageId,
      Instant date,
      String queueId,
      MailAddress sender,
      String envId,
      Instant arrival,
      List<Item> items,
      Instant willRetryUntil,
      byte[] returned,
      boolean whole) {
  }

  private DsnBuilder() {
  }

  static byte[] build(Report r) {
    boolean global = r.sender().isInternationalized()
        || r.items().stream().anyMatch(i -> i.recipient().isInternationalized());
    String human = humanText(r);
    boolean asciiHuman = human.chars().allMatch(c -> c < 0x80);
    try {
      Multipart report = MultipartBuilder.create("report")
          .addContentTypeParameter(new NameValuePair("report-type", "delivery-status"))
          .addBodyPart(BodyPartBuilder.create()
              .setBody(human, "plain", asciiHuman ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8)
              .setContentTransferEncoding(asciiHuman ? "7bit" : "quoted-printable")
              .setField(new RawField("Content-Description", "Notification")))
          .addBodyPart(BodyPartBuilder.create()
              .setBody(statusFields(r, global).getBytes(StandardCharsets.UTF_8),
                  global ? "message/global-delivery-status" : "message/delivery-status")
              .setContentTransferEncoding(global ? "8bit" : "7bit")
              .setField(new RawField("Content-Description", "Delivery report")))
          .addBodyPart(BodyPartBuilder.create()
              .setBody(r.returned(), r.whole() ? "message/rfc822" : "text/rfc822-headers")
              .setContentTransferEncoding(MessageText.hasEightBit(r.returned()) ? "8bit" : "7bit")
              .setField(new RawField("Content-Description", returnedDescription(r))))
          .build();
      Message message = Message.Builder.of()
          .setField(new RawField("From", "Mail Delivery System <MAILER-DAEMON@" + clean(r.reportingMta()) + ">"))
          .setField(new RawField("To", clean(r.sender().path())))
          .setSubject(switch (r.kind()) {
            case FAILED -> "Undelivered Mail Returned to Sender";
            case DELAYED -> "Delayed Mail (still being retried)";
            case SUCCESS -> "Successful Mail Delivery Report";
          })
          .setDate(Date.from(r.date()))
          .setMessageId(r.messageId())
          .setField(new RawField("Auto-Submitted", "auto-replied"))
          .setBody(report)
          .build();
      ByteArrayOutputStream out = new ByteArrayOutputStream(r.returned().length + 4096);
      new DefaultMessageWriter().writeMessage(message, out);
      return out.toByteArray();
    } catch (IOException e) {
      // everything is in memory: Mime4j declares IOException for streams it is not given here
      throw new UncheckedIOException(e);
    }
  }

  private static String humanText(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append("This is the mail system at host ").append(r.reportingMta()).append(".\r\n\r\n");
    switch (r.kind()) {
      case FAILED -> sb.append("Your message could not be delivered to one or more recipients.\r\n")
          .append(r.whole() ? "The details are below; your message is attached.\r\n"
              : "The details are below; the headers of your message are attached.\r\n");
      case DELAYED -> sb.append("Your message has not been delivered yet to one or more recipients.\r\n")
          .append("Delivery will be tried again until ").append(Rfc5322Dates.format(r.willRetryUntil()))
          .append(";\r\nyou do not need to send the message again.\r\n");
      case SUCCESS -> sb.append("Your message was delivered to the recipients listed below.\r\n")
          .append("Delivered to a mailbox: no further notice will follow. Relayed to a system\r\n")
          .append("that does not send delivery reports: it may still report a failure.\r\n");
    }
    sb.append("\r\n");
    for (Item i : r.items()) {
      RecipientResult res = i.result();
      sb.append(clean(i.recipient().path())).append(": ");
      if (res.remote()) {
        sb.append("host ").append(clean(res.mx())).append('[').append(clean(res.address())).append("] said: ")
            .append(res.code()).append(' ').append(res.status()).append(' ').append(clean(res.text()));
      } else {
        sb.append(clean(res.text()));
      }
      if (i.expired()) {
        sb.append(" (gave up: the message was in the queue since ").append(Rfc5322Dates.format(r.arrival())).append(')');
      }
      sb.append("\r\n");
    }
    return sb.toString();
  }

  private static String statusFields(Report r, boolean global) {
    StringBuilder sb = new StringBuilder();
    sb.append("Reporting-MTA: dns; ").append(ascii(r.reportingMta())).append("\r\n");
    sb.append("X-Postino-Queue-ID: ").append(r.queueId()).append("\r\n");
    if (r.envId() != null) {
      sb.append("Original-Envelope-Id: ").append(ascii(r.envId())).append("\r\n");
    }
    sb.append("Arrival-Date: ").append(Rfc5322Dates.format(r.arrival())).append("\r\n");
    String addressType = global ? "utf-8; " : "rfc822; ";
    for (Item i : r.items()) {
      RecipientResult res = i.result();
      sb.append("\r\n");
      sb.append("Final-Recipient: ").append(addressType).append(global ? clean(i.recipient().address())
          : ascii(i.recipient().address())).append("\r\n");
      if (i.orcpt() != null) {
        int semicolon = i.orcpt().indexOf(';');
        sb.append("Original-Recipient: ").append(ascii(i.orcpt().substring(0, semicolon))).append("; ")
            .append(global ? clean(i.orcpt().substring(semicolon + 1)) : ascii(i.orcpt().substring(semicolon + 1)))
            .append("\r\n");
      }
      sb.append("Action: ").append(action(r.kind(), res)).append("\r\n");
      sb.append("Status: ").append(res.status()).append("\r\n");
      if (res.mx() != null) {
        sb.append("Remote-MTA: dns; ").append(ascii(res.mx())).append("\r\n");
      }
      sb.append("Diagnostic-Code: ").append(res.remote() ? "smtp; " + res.code() + " " + res.status() + " "
          : "X-Postino; ").append(global ? clean(res.text()) : ascii(res.text())).append("\r\n");
      sb.append("Last-Attempt-Date: ").append(Rfc5322Dates.format(r.date())).append("\r\n");
      if (r.kind() == Kind.DELAYED) {
        sb.append("Will-Retry-Until: ").append(Rfc5322Dates.format(r.willRetryUntil())).append("\r\n");
      }
    }
    return sb.toString();
  }

  /** RFC 3464 section 2.3.3. */
  private static String action(Kind kind, RecipientResult result) {
    return switch (kind) {
      case FAILED -> "failed";
      case DELAYED -> "delayed";
      case SUCCESS -> result.success() == RecipientResult.Success.DELIVERED ? "delivered" : "relayed";
    };
  }

  private static String returnedDescription(Report r) {
    if (r.kind() != Kind.FAILED) {
      return "Message headers";
    }
    return r.whole() ? "Undelivered message" : "Undelivered message headers";
  }

  /** Control characters (CR and LF above all) replaced. */
  private static String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }

  /** {@link #clean}, and anything outside US-ASCII replaced too. */
  private static String ascii(String s) {
    String cleaned = clean(s);
    StringBuilder sb = new StringBuilder(cleaned.length());
    for (int i = 0; i < cleaned.length(); i++) {
      char c = cleaned.charAt(i);
      sb.append(c > 0x7e ? '?' : c);
    }
    return sb.toString();
  }
}
