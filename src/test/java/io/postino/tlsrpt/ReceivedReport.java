package io.postino.tlsrpt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.apache.james.mime4j.dom.BinaryBody;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;

/** A TLS report as a receiver reads it: a message parsed with Mime4j, its report decompressed. */
record ReceivedReport(Message message, Entity attachment, JsonObject json) {

  static ReceivedReport parse(byte[] mail) throws Exception {
    DefaultMessageBuilder builder = new DefaultMessageBuilder();
    builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
    Message message = builder.parseMessage(new ByteArrayInputStream(mail));
    assertEquals("multipart/report", message.getMimeType());
    Multipart multipart = (Multipart) message.getBody();
    assertEquals(2, multipart.getBodyParts().size());
    assertEquals("text/plain", multipart.getBodyParts().get(0).getMimeType());
    Entity attachment = multipart.getBodyParts().get(1);
    assertEquals("application/tlsrpt+gzip", attachment.getMimeType());
    return new ReceivedReport(message, attachment, gunzip(((BinaryBody) attachment.getBody()).getInputStream()));
  }

  static JsonObject gunzip(InputStream in) throws IOException {
    try (GZIPInputStream gz = new GZIPInputStream(in)) {
      return new JsonObject(new String(gz.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  String header(String name) {
    return message.getHeader().getField(name).getBody();
  }
}
