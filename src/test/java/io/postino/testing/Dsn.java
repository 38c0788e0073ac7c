package io.postino.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.james.mime4j.dom.BinaryBody;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;

/**
 * A delivery status notification parsed back with Mime4j, for tests: the top-level message, its
 * three parts, and the fields of the delivery-status part (the per-message block and one block per
 * recipient).
 */
public final class Dsn {

  public final Message message;
  public final List<Entity> parts;
  public final Map<String, String> perMessage;
  public final List<Map<String, String>> perRecipient;
  public final String human;
  public final String returned;

  private Dsn(Message message, List<Entity> parts, Map<String, String> perMessage,
      List<Map<String, String>> perRecipient, String human, String returned) {
    this.message = message;
    this.parts = parts;
    this.perMessage = perMessage;
    this.perRecipient = perRecipient;
    this.human = human;
    this.returned = returned;
  }

  /** Parses a message as delivered (a Maildir file: Return-Path and Delivered-To come first). */
  public static Dsn parse(byte[] bytes) throws IOException {
    Message message = new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(bytes));
    Multipart multipart = (Multipart) message.getBody();
    List<Entity> parts = multipart.getBodyParts();
    String status = text(parts.get(1).getBody());
    String[] blocks = status.replace("\r\n", "\n").trim().split("\n\n");
    Map<String, String> perMessage = fields(blocks[0]);
    List<Map<String, String>> perRecipient = new ArrayList<>();
    for (int i = 1; i < blocks.length; i++) {
      perRecipient.add(fields(blocks[i]));
    }
    return new Dsn(message, parts, perMessage, perRecipient, text(parts.get(0).getBody()),
        parts.size() > 2 ? text(parts.get(2).getBody()) : null);
  }

  private static Map<String, String> fields(String block) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String line : block.split("\n")) {
      int colon = line.indexOf(':');
      map.put(line.substring(0, colon), line.substring(colon + 1).trim());
    }
    return map;
  }

  private static String text(Body body) throws IOException {
    if (body instanceof TextBody t) {
      return new String(t.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    if (body instanceof BinaryBody b) {
      return new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    if (body instanceof Message m) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new DefaultMessageWriter().writeMessage(m, out);
      return out.toString(StandardCharsets.UTF_8);
    }
    throw new IllegalArgumentException("unexpected body " + body);
  }
}
