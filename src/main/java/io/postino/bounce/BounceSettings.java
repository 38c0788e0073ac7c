package io.postino.bounce;

import java.time.Duration;

/**
 * What the queue's options say about reports, handed to the bounce side so that it does not read
 * the queue's options itself.
 *
 * @param returnSizeLimit            the largest original returned whole (RET=FULL), in octets
 * @param delayWarning               how long a message waits before its sender is warned about the
 *                                   recipients still being tried; zero: never
 * @param delayWarningWithoutNotify  whether recipients that gave no NOTIFY are warned too (else only
 *                                   those that asked with NOTIFY=DELAY)
 * @param holdUndeliverableBounces   whether a report that cannot be delivered is held (else dropped)
 */
public record BounceSettings(int returnSizeLimit, Duration delayWarning, boolean delayWarningWithoutNotify,
    boolean holdUndeliverableBounces) {
}
