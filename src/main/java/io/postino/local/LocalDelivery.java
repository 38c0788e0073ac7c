package io.postino.local;

import io.postino.bus.Addresses;
import io.postino.bus.InboundEvent;
import io.postino.spool.Envelope;
import io.postino.queue.LocalTransport;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local transport: delivers a message to the Maildir of each local recipient, then publishes
 * one {@link InboundEvent} on the event bus saying where each copy is.
 */
public final class LocalDelivery implements LocalTransport {

  private final Vertx vertx;
  private final MaildirDelivery maildir;
  private final String defaultDomain;
  private final Addresses addresses;

  public LocalDelivery(Vertx vertx, MaildirDelivery maildir, String defaultDomain, Addresses addresses) {
    this.vertx = vertx;
    this.maildir = maildir;
    this.defaultDomain = defaultDomain;
    this.addresses = addresses;
  }

  @Override
  public Future<Void> deliver(SpooledMessage message, List<Envelope.Recipient> recipients) {
    List<Future<Path>> copies = new ArrayList<>(recipients.size());
    for (Envelope.Recipient r : recipients) {
      copies.add(maildir.deliver(message, r.address(), defaultDomain));
    }
    return Future.all(copies).map(all -> {
      List<InboundEvent.Mailbox> boxes = new ArrayList<>(recipients.size());
      for (int i = 0; i < recipients.size(); i++) {
        boxes.add(new InboundEvent.Mailbox(recipients.get(i).address().address(),
            copies.get(i).result().toAbsolutePath().toString()));
      }
      Envelope e = message.envelope();
      InboundEvent event = new InboundEvent(e.queueId(), e.sender().address(), boxes, e.received().toString(),
          e.clientAddress(), e.helo(), message.authResults());
      vertx.eventBus().publish(addresses.inbound(), event.toJson());
      return null;
    });
  }
}
