package io.postino;

import io.postino.dkim.DkimIntake;
import io.postino.dmarc.DmarcCheck;
import io.postino.intake.Intake;
import io.postino.spf.SpfCheck;
import io.vertx.core.Vertx;

/** Turns on the checks of received mail that the configuration asks for: SPF at MAIL FROM, DMARC after DKIM. */
final class ReceivingChecks {

  private ReceivingChecks() {
  }

  static void install(Vertx vertx, PostinoOptions config, Intake intake, DkimIntake dkim) {
    if (config.getSpf().isEnabled()) {
      intake.checkSendersWith(SpfCheck.create(vertx, config.getSpf(), config.resolverOptions(), config.getHostname()));
    }
    if (config.getDmarc().isEnabled()) {
      dkim.judgeAuthorsWith(DmarcCheck.create(vertx, config.getDmarc(), config.resolverOptions()));
    }
  }
}
