/**
 * Keras' EarlyStopping and ReduceLROnPlateau on the validation loss, shared by the trainers of
 * lib/models (the HLF VAE of paper 1, the jet-image VAE of paper 2).
 */

/** Early-stopping settings (Keras `EarlyStopping` on `val_loss`). */
export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping (paper 1: 20; paper 2 code: 7). */
  patience: number;
  /** Decrease that counts as an improvement (paper 1: 0.005; Keras default 0). */
  minDelta: number;
}

/** Learning-rate schedule (Keras `ReduceLROnPlateau` on `val_loss`, no cooldown). */
export interface ReduceLrOptions {
  /** Multiplier of the learning rate (papers: 0.1). */
  factor: number;
  /** Epochs without improvement before a cut (paper 1: 8; paper 2 code: 2). */
  patience: number;
  /** Decrease that counts as an improvement (Keras default 1e-4). */
  minDelta: number;
  /** Lower bound of the learning rate (Keras default 0). */
  minLr?: number;
}

/**
 * Keras' `EarlyStopping` and `ReduceLROnPlateau` callbacks on the validation loss, as a
 * small state machine: feed each epoch's validation loss and the learning rate in use; get
 * whether to stop and the learning rate for the next epoch. An improvement is a loss below
 * the best so far minus min delta; after `patience` epochs without one, early stopping
 * stops, and the schedule multiplies the rate by `factor` (not below `minLr`) and waits
 * `patience` epochs again.
 */
export class PlateauMonitor {
  readonly #es: EarlyStoppingOptions | null;
  readonly #rl: ReduceLrOptions | null;
  #esBest = Infinity;
  #esWait = 0;
  #rlBest = Infinity;
  #rlWait = 0;

  constructor(earlyStopping: EarlyStoppingOptions | null, reduceLr: ReduceLrOptions | null) {
    for (const [what, p] of [["earlyStopping", earlyStopping], ["reduceLrOnPlateau", reduceLr]]) {
      const o = p as { patience: number; minDelta: number } | null;
      if (o && (!(Number.isInteger(o.patience) && o.patience > 0) || !(o.minDelta >= 0))) {
        throw new RangeError(`PlateauMonitor: ${what} ${JSON.stringify(o)}`);
      }
    }
    if (reduceLr && !(reduceLr.factor > 0 && reduceLr.factor < 1)) {
      throw new RangeError(`PlateauMonitor: reduceLrOnPlateau.factor=${reduceLr.factor}`);
    }
    this.#es = earlyStopping;
    this.#rl = reduceLr;
  }

  /** One epoch's validation loss and learning rate -> stop?, next learning rate. */
  update(valLoss: number, lr: number): { stop: boolean; lr: number } {
    let stop = false;
    const es = this.#es;
    if (es) {
      if (valLoss < this.#esBest - es.minDelta) {
        this.#esBest = valLoss;
        this.#esWait = 0;
      } else if (++this.#esWait >= es.patience) {
        stop = true;
      }
    }
    let next = lr;
    const rl = this.#rl;
    if (rl) {
      if (valLoss < this.#rlBest - rl.minDelta) {
        this.#rlBest = valLoss;
        this.#rlWait = 0;
      } else if (++this.#rlWait >= rl.patience) {
        const minLr = rl.minLr ?? 0;
        if (lr > minLr) {
          next = Math.max(lr * rl.factor, minLr);
          this.#rlWait = 0;
        }
      }
    }
    return { stop, lr: next };
  }
}
