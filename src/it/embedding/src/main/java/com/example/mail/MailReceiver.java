package com.example.mail;

import io.postino.Postino;
import io.postino.PostinoOptions;
import io.postino.bus.InboundEvent;
import io.postino.local.MaildirOptions;
import io.postino.server.ServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** An application that receives mail for example.org with Postino inside its own Vert.x. */
public final class MailReceiver {

  private MailReceiver() {
  }

  /** Listens on {@code port} (0: any free one); {@code onMail} gets each message once it is in its mailboxes. */
  public static Future<Postino> start(Vertx vertx, Path dataDir, int port, Consumer<InboundEvent> onMail) {
    PostinoOptions options = new PostinoOptions()
        .setHostname("mail.example.org")
        .setLocalDomains(List.of("example.org"))
        .setSmtp(new ServerOptions().setHost("127.0.0.1").setPort(port))
        .setSpoolDirectory(dataDir.resolve("spool"))
        .setMaildir(new MaildirOptions().setRoot(dataDir.resolve("maildir").toString()));
    return vertx.eventBus().<JsonObject>consumer("postino.inbound",
            msg -> onMail.accept(InboundEvent.fromJson(msg.body())))
        .completion()
        .compose(registered -> Postino.start(vertx, options));
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    Postino postino = start(vertx, Path.of("data"), 2525,
        mail -> System.out.println(mail.sender() + " -> " + mail.mailboxes())).await();
    System.out.println("SMTP on port " + postino.smtpPort());
  }
}
