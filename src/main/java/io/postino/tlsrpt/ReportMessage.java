package io.postino.tlsrpt;

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
 * A TLS report as a mail message (RFC 8460 section 5.3), built with Apache Mime4j: a
 * {@code multipart/report; report-type="tlsrpt"} with a text part for people and the gzip'ed
 * report as an {@code application/tlsrpt+gzip} attachment named as section 5.1 says, under the
 * header fields {@code TLS-Report-Domain} and {@code TLS-Report-Submitter} and the subject
 * {@code Report Domain: ... Submitter: ... Report-ID: <...>}.
 *
 * <p>SECURITY: the names written into header fields come from routes and TXT records; their
 * control characters are dropped, so none can add a header line.
 */
final class ReportMessage {

  static final String MEDIA_TYPE = "application/tlsrpt+gzip";

  private ReportMessage() {
  }

  static byte[] build(AggregateReport report, String from, List<String> to, Instant date) {
    String domain = clean(report.policyDomain());
    String submitter = clean(report.submitter());
    String reportId = clean(report.reportId());
    String text = "This is an aggregate TLS report (RFC 8460) from " + submitter + " about the mail it sent to "
        + domain + " on " + report.day() + " (UTC).\r\nThe report is attached as " + MEDIA_TYPE + ".\r\n";
    try {
      Multipart multipart = MultipartBuilder.create("report")
          .addContentTypeParameter(new NameValuePair("report-type", "tlsrpt"))
          .addBodyPart(BodyPartBuilder.create()
              .setBody(text, "plain", StandardCharsets.US_ASCII)
              .setContentTransferEncoding("7bit"))
          .addBodyPart(BodyPartBuilder.create()
              .setBody(report.gzip(), MEDIA_TYPE)
              .setContentTransferEncoding("base64")
              // quoted, so that every reader takes the whole name with its "!" separators
              .setField(new RawField("Content-Disposition", "attachment; filename=\"" + clean(report.fileName()) + "\"")))
          .build();
      Message message = Message.Builder.of()
          .setField(new RawField("From", clean(from)))
          .setField(new RawField("To", clean(String.join(", ", to))))
          .setSubject("Report Domain: " + domain + " Submitter: " + submitter + " Report-ID: <" + reportId + ">")
          .setDate(Date.from(date))
          .setMessageId("<" + reportId + ">")
          .setField(new RawField("TLS-Report-Domain", domain))
          .setField(new RawField("TLS-Report-Submitter", submitter))
          .setField(new RawField("Auto-Submitted", "auto-generated"))
          .setBody(multipart)
          .build();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new DefaultMessageWriter().writeMessage(message, out);
      return out.toByteArray();
    } catch (IOException e) {
      // everything is in memory: Mime4j declares IOException for streams it is not given here
      throw new UncheckedIOException(e);
    }
  }

  private static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().filter(c -> c >= 0x20 && c != 0x7f).forEach(sb::appendCodePoint);
    return sb.toString();
  }
}
