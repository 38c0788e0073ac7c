package com.example.mail;

import io.postino.Postino;
import io.postino.bus.InboundEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.function.Consumer;

/** An application that receives mail for example.org with Postino inside its own Vert.x. */
public final class MailReceiver {

  private MailReceiver() {
  }

  /** Listens on {@code port} (0: any free one); {@code onMail} gets each message once it is in its mailboxes. */
  public static Future<Postino> start(Vertx vertx, Path dataDir, int port, Consumer<InboundEvent> onMail) {
    JsonObject config = new JsonObject()
        .put("hostname", "mail.example.org")
        .put("localDomains", new JsonArray().add("example.org"))
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", port))
        .put("spool", new JsonObject().put("directory", dataDir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dataDir.resolve("maildir").toString()));
    return vertx.eventBus().<JsonObject>consumer("postino.inbound",
            msg -> onMail.accept(InboundEvent.fromJson(msg.body())))
        .completion()
        .compose(registered -> Postino.deploy(vertx, config));
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    Postino postino = start(vertx, Path.of("data"), 2525,
        mail -> System.out.println(mail.sender() + " -> " + mail.mailboxes())).await();
    System.out.println("SMTP on port " + postino.smtpPort());
  }
}
