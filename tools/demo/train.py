#!/usr/bin/python3
"""Trains the English-Spanish demo model on the tools/ PyTorch MarianMT, and
exports it to models/en-es-demo/.

    /usr/bin/python3 tools/demo/train.py            # start (refuses to overwrite a run)
    /usr/bin/python3 tools/demo/train.py --resume   # continue exactly where the last checkpoint was
    /usr/bin/python3 tools/demo/train.py --export   # best checkpoint -> models/en-es-demo/ (F16)

Label-smoothed cross-entropy, Adam (0.9, 0.98) with linear warm-up and
inverse-square-root decay, token-budget batches of similar lengths, dropout,
gradient clipping, fixed seeds. A checkpoint (model, optimizer, step, data
position, random states) is written atomically every few minutes and on
SIGTERM / SIGINT, after which the process exits; `--resume` continues with
the same batches and random streams as an uninterrupted run. SIGSTOP /
SIGCONT just pause it. Progress goes to stdout and, as JSON lines, to
tools/work/demo/train_log.jsonl.

float32 is the default: on CPUs without native bfloat16 (AVX2-only), bf16
autocast is much slower. `--bf16` turns it on where the CPU has AVX512-BF16/AMX.
"""

import argparse
import json
import os
import signal
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import checkpoint  # noqa: E402
import data  # noqa: E402
import evaluate  # noqa: E402
import model_setup  # noqa: E402
import objective  # noqa: E402
import paths  # noqa: E402
import validation  # noqa: E402



class RunFiles:
    """Checkpoints and log of a run (tools/work/demo/ unless --run-dir)."""

    def __init__(self, run_dir):
        self.last = os.path.join(run_dir, "checkpoints", "last.pt")
        self.best = os.path.join(run_dir, "checkpoints", "best.pt")
        self.log = os.path.join(run_dir, "train_log.jsonl")
        # The training process's own pid: `$!` after `setsid nohup ... &` is
        # setsid's where the shell has job control (setsid then forks).
        self.pid = os.path.join(run_dir, "train.pid")

    def write_pid(self):
        os.makedirs(os.path.dirname(self.pid), exist_ok=True)
        with open(self.pid, "w", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")

    def log_event(self, event):
        os.makedirs(os.path.dirname(self.log), exist_ok=True)
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    ap.add_argument("--run-dir", default=paths.WORK, help="where checkpoints/ and train_log.jsonl go")
    ap.add_argument("--export", action="store_true", help="export a checkpoint and exit")
    ap.add_argument("--export-from", choices=("best", "last"), default="best")
    ap.add_argument("--export-dtype", choices=("F16", "BF16", "F32"), default="F16")
    ap.add_argument("--export-dir", default=paths.MODEL)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast (only fast with native bf16)")
    ap.add_argument("--max-tokens", type=int, default=2500, help="padded tokens per batch and side")
    ap.add_argument("--max-len", type=int, default=128, help="longest training sentence, in tokens")
    ap.add_argument("--peak-lr", type=float, default=8e-4)
    ap.add_argument("--warmup", type=int, default=800, help="warm-up steps")
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--clip-norm", type=float, default=1.0)
    ap.add_argument("--max-steps", type=int, default=12000)
    ap.add_argument("--log-every", type=int, default=50, help="steps")
    ap.add_argument("--validate-every", type=int, default=400, help="steps")
    ap.add_argument("--chrf-sentences", type=int, default=200, help="validation sentences decoded")
    ap.add_argument("--checkpoint-minutes", type=float, default=10.0)
    return ap.parse_args()


class StopRequest:
    """SIGTERM / SIGINT ask for a checkpoint and a clean exit after the current step."""

    def __init__(self):
        self.requested = False
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum, _frame):
        print(f"signal {signum}: checkpoint after this step, then exit", flush=True)
        self.requested = True


def load_corpus(encoder, max_len):
    def read(split):
        return data.load_pairs(encoder, paths.read_lines(paths.corpus_file(split, "en")),
                               paths.read_lines(paths.corpus_file(split, "es")), max_len)
    valid_en = paths.read_lines(paths.corpus_file("valid", "en"))
    valid_es = paths.read_lines(paths.corpus_file("valid", "es"))
    return read("train"), read("valid"), valid_en, valid_es


def export(args, files):
    path = files.best if args.export_from == "best" else files.last
    state = checkpoint.load(path)
    model = model_setup.load_checkpoint_model(state)
    size = model_setup.export(model, paths.TOKENIZER, args.export_dir, storage=args.export_dtype)
    print(f"exported {path} (step {state['step']}, validation NLL {state.get('valid_nll')}) "
          f"to {args.export_dir}: {size / 1e6:.1f} MB")
    # Read the directory back the way a server would, and translate one sentence.
    example = "The children played in the park."
    print(f"{example!r} -> {evaluate.reference_translate(args.export_dir, [example], 64)[0]!r}")


class Trainer:
    def __init__(self, args, files):
        self.args = args
        self.files = files
        self.encoder = data.PairEncoder(paths.TOKENIZER)
        self.pad = self.encoder.pad
        t0 = time.time()
        self.train_pairs, self.valid_pairs, self.valid_en, self.valid_es = load_corpus(self.encoder, args.max_len)
        print(f"corpus: {len(self.train_pairs)} training pairs, {len(self.valid_pairs)} validation pairs "
              f"({time.time() - t0:.0f} s to encode)", flush=True)
        torch.manual_seed(args.seed)
        self.model = model_setup.build_model(len(self.encoder.vocab), dropout=args.dropout)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=args.peak_lr,
                                          betas=(0.9, 0.98), eps=1e-9)
        # Position in training: optimizer steps done, and the next batch of which epoch.
        self.step, self.epoch, self.batch_index = 0, 0, 0
        self.train_seconds = 0.0
        self.best_nll = float("inf")
        self.valid_nll = None

    def state(self):
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "config": self.model.config.to_dict(), "args": vars(self.args),
                "step": self.step, "epoch": self.epoch, "batch_index": self.batch_index,
                "train_seconds": self.train_seconds, "best_nll": self.best_nll,
                "valid_nll": self.valid_nll, "rng": checkpoint.rng_state()}

    def restore(self, state):
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.step, self.epoch, self.batch_index = state["step"], state["epoch"], state["batch_index"]
        self.train_seconds, self.best_nll = state["train_seconds"], state["best_nll"]
        self.valid_nll = state["valid_nll"]
        checkpoint.set_rng_state(state["rng"])

    def save(self, path=None):
        checkpoint.save(self.state(), path or self.files.last)

    def validate(self):
        args = self.args
        t0 = time.time()
        loss, nll = validation.validation_loss(self.model, self.valid_pairs, self.pad,
                                               args.max_tokens, args.label_smoothing)
        n = args.chrf_sentences
        chrf, hyps = validation.greedy_chrf(self.model, self.encoder, self.valid_en[:n], self.valid_es[:n])
        self.valid_nll = nll
        event = {"event": "validation", "step": self.step, "epoch": self.epoch,
                 "train_hours": self.train_seconds / 3600, "valid_loss": loss, "valid_nll": nll,
                 "valid_chrf": chrf, "seconds": time.time() - t0, "example": [self.valid_en[0], hyps[0]]}
        self.files.log_event(event)
        print(f"validation step {self.step}: loss {loss:.4f} nll {nll:.4f} greedy chrF({n}) {chrf:.2f} "
              f"[{time.time() - t0:.0f} s] e.g. {self.valid_en[0]!r} -> {hyps[0]!r}", flush=True)
        if nll < self.best_nll:
            self.best_nll = nll
            self.save(self.files.best)

    def train_step(self, indices):
        args = self.args
        input_ids, mask, labels = data.collate(self.train_pairs, indices, self.pad)
        dec_in = self.model.shift_right(labels, self.model.config.decoder_start_token_id, self.pad)
        for group in self.optimizer.param_groups:
            group["lr"] = objective.inverse_sqrt_lr(self.step + 1, args.peak_lr, args.warmup)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            logits = self.model(input_ids, mask, dec_in)
        loss, nll, tokens = objective.label_smoothed_loss(logits, labels, args.label_smoothing)
        self.optimizer.zero_grad(set_to_none=True)
        (loss / tokens).backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), args.clip_norm)
        self.optimizer.step()
        self.step += 1
        return float(loss), float(nll), tokens, int(mask.sum())

    def run(self, stop):
        args = self.args
        self.model.train()
        last_checkpoint = time.monotonic()
        window = {"loss": 0.0, "nll": 0.0, "tgt": 0, "src": 0, "t0": time.monotonic()}
        while self.step < args.max_steps and not stop.requested:
            batches = data.epoch_batches(self.train_pairs, args.max_tokens, args.seed, self.epoch)
            while self.batch_index < len(batches) and self.step < args.max_steps and not stop.requested:
                t0 = time.monotonic()
                loss, nll, tgt, src = self.train_step(batches[self.batch_index])
                self.batch_index += 1
                self.train_seconds += time.monotonic() - t0
                window["loss"] += loss
                window["nll"] += nll
                window["tgt"] += tgt
                window["src"] += src
                if self.step % args.log_every == 0:
                    self.log_training(window)
                    window = {"loss": 0.0, "nll": 0.0, "tgt": 0, "src": 0, "t0": time.monotonic()}
                if self.step % args.validate_every == 0:
                    self.validate()
                if time.monotonic() - last_checkpoint >= 60 * args.checkpoint_minutes:
                    self.save()
                    last_checkpoint = time.monotonic()
            if self.batch_index >= len(batches):
                self.epoch += 1
                self.batch_index = 0
                self.files.log_event({"event": "epoch", "epoch": self.epoch, "step": self.step})
        self.save()
        print(f"checkpoint at step {self.step} (epoch {self.epoch}, batch {self.batch_index}) in {self.files.last}",
              flush=True)

    def log_training(self, w):
        elapsed = max(time.monotonic() - w["t0"], 1e-9)
        event = {"event": "train", "step": self.step, "epoch": self.epoch,
                 "lr": self.optimizer.param_groups[0]["lr"], "loss": w["loss"] / w["tgt"],
                 "nll": w["nll"] / w["tgt"], "target_tokens_per_s": w["tgt"] / elapsed,
                 "tokens_per_s": (w["tgt"] + w["src"]) / elapsed,
                 "train_hours": self.train_seconds / 3600}
        self.files.log_event(event)
        print(f"step {self.step} epoch {self.epoch} lr {event['lr']:.2e} loss {event['loss']:.4f} "
              f"nll {event['nll']:.4f} {event['tokens_per_s']:.0f} tok/s "
              f"({event['target_tokens_per_s']:.0f} target) {self.train_seconds / 3600:.2f} h", flush=True)


def main():
    args = parse_args()
    files = RunFiles(args.run_dir)
    if args.export:
        export(args, files)
        return
    torch.set_num_threads(args.threads)
    files.write_pid()
    stop = StopRequest()
    trainer = Trainer(args, files)
    if args.resume:
        state = checkpoint.load(files.last)
        trainer.restore(state)
        print(f"resumed at step {trainer.step} (epoch {trainer.epoch}, batch {trainer.batch_index})", flush=True)
    elif os.path.exists(files.last):
        sys.exit(f"{files.last} exists: pass --resume to continue it, or move it away to start afresh")
    else:
        print(f"model: {model_setup.parameter_count(trainer.model)} parameters, "
              f"{json.dumps(model_setup.SHAPE)}", flush=True)
        files.log_event({"event": "start", "args": vars(args),
                   "parameters": model_setup.parameter_count(trainer.model)})
    trainer.run(stop)


if __name__ == "__main__":
    main()
