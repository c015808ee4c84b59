// Attention: badge counts and notifications of new work, polled without reloading.
