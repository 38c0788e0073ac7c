package io.postino.intake;

import io.postino.bus.StructuredMessage;
import io.postino.bus.StructuredMessage.Attachment;
import io.postino.bus.StructuredMessage.NamedAddress;
import io.postino.smtp.MessageText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.Fields;
import org.apache.james.mime4j.message.BasicBodyFactory;
import org.apache.james.mime4j.message.BodyPartBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.message.MultipartBuilder;
import org.apache.james.mime4j.stream.NameValuePair;

/**
 * Builds the RFC 5322 / MIME message of a {@link StructuredMessage} with Apache Mime4j: From, To,
 * Cc (never Bcc), Subject, Date and Message-ID; the text as {@code text/plain} and the HTML as
 * {@code text/html}, together in a {@code multipart/alternative}; attachments in base64 after them
 * in a {@code multipart/mixed}. Text goes as 7bit when it is short-lined US-ASCII, else as
 * quoted-printable UTF-8, so the message needs no 8BITMIME unless an address does. Header values
 * outside US-ASCII are encoded (RFC 2047; RFC 2231 for file names).
 *
 * <p>Pure, but work in proportion to the message: call it off the event loop.
 */
final class MessageComposer {

  /** RFC 5322's limit on a line, CRLF excluded. */
  private static final int MAX_LINE = 998;

  private MessageComposer() {
  }

  static byte[] compose(StructuredMessage m, String messageId, Instant date) {
    Message.Builder message = Message.Builder.of()
        .setFrom(mailbox(m.from()))
        .setDate(Date.from(date))
        .setMessageId(messageId);
    if (!m.to().isEmpty()) {
      message.setTo(mailboxes(m.to()));
    }
    if (!m.cc().isEmpty()) {
      message.setCc(mailboxes(m.cc()));
    }
    if (m.subject() != null) {
      message.setSubject(m.subject());
    }
    // the content is built as a body part, then its fields and body become the message's own
    BodyPartBuilder content = content(m);
    content.getFields().forEach(message::addField);
    message.setBody(content.getBody());
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      new DefaultMessageWriter().writeMessage(message.build(), out);
    } catch (IOException e) {
      // everything is in memory: Mime4j declares IOException for streams it is not given here
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static BodyPartBuilder content(StructuredMessage m) {
    BodyPartBuilder body;
    if (m.html() == null) {
      body = text(m.text() == null ? "" : m.text(), "plain");
    } else if (m.text() == null) {
      body = text(m.html(), "html");
    } else {
      body = BodyPartBuilder.create().setBody(MultipartBuilder.create("alternative")
          .addBodyPart(text(m.text(), "plain"))
          .addBodyPart(text(m.html(), "html"))
          .build());
    }
    if (m.attachments().isEmpty()) {
      return body;
    }
    MultipartBuilder mixed = MultipartBuilder.create("mixed").addBodyPart(body);
    m.attachments().forEach(a -> mixed.addBodyPart(attachment(a)));
    return BodyPartBuilder.create().setBody(mixed.build());
  }

  private static BodyPartBuilder text(String text, String subtype) {
    String crlf = MessageText.toCrlf(text);
    try {
      return BodyPartBuilder.create()
          .setBody(crlf, subtype, StandardCharsets.UTF_8)
          .setContentTransferEncoding(isShortAscii(crlf) ? "7bit" : "quoted-printable");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BodyPartBuilder attachment(Attachment a) {
    String name = a.filename();
    boolean ascii = name.chars().allMatch(c -> c < 0x7f);
    return BodyPartBuilder.create()
        .setBody(BasicBodyFactory.INSTANCE.binaryBody(a.content()))
        .setField(Fields.contentType(a.contentType()))
        .setContentTransferEncoding("base64")
        .setField(ascii ? Fields.contentDisposition("attachment", name)
            : Fields.contentDisposition("attachment", List.of(new NameValuePair("filename*", rfc2231(name)))));
  }

  /** RFC 2231 section 4: {@code UTF-8''} and the name's octets, percent-encoded but for attr-chars. */
  private static String rfc2231(String value) {
    StringBuilder sb = new StringBuilder("UTF-8''");
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** US-ASCII without NUL, in lines that 7bit allows (text that ends with CRLF, as toCrlf makes it). */
  private static boolean isShortAscii(String crlf) {
    int lineStart = 0;
    for (int i = 0; i < crlf.length(); i++) {
      char c = crlf.charAt(i);
      if (c == 0 || c > 0x7e) {
        return false;
      }
      if (c == '\n') {
        if (i - 1 - lineStart > MAX_LINE) {
          return false;
        }
        lineStart = i + 1;
      }
    }
    return true;
  }

  private static List<Mailbox> mailboxes(List<NamedAddress> addresses) {
    return addresses.stream().map(MessageComposer::mailbox).toList();
  }

  private static Mailbox mailbox(NamedAddress a) {
    return new Mailbox(a.name(), unquote(a.address().localPart()), a.address().domain());
  }

  /** A local part as Mime4j wants it: the quoted form of the SMTP path undone (Mime4j quotes again). */
  private static String unquote(String localPart) {
    if (!localPart.startsWith("\"")) {
      return localPart;
    }
    StringBuilder sb = new StringBuilder(localPart.length());
    for (int i = 1; i < localPart.length() - 1; i++) {
      char c = localPart.charAt(i);
      if (c == '\\') {
        c = localPart.charAt(++i);
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
