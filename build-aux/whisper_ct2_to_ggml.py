#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Convert a Whisper model from CTranslate2 format into the ggml file whisper.cpp loads.

Usage: whisper_ct2_to_ggml.py CT2_MODEL_DIR WHISPER_ASSETS_DIR OUT.bin

CT2_MODEL_DIR holds a faster-whisper model (model.bin, optionally vocabulary.txt);
WHISPER_ASSETS_DIR is openai-whisper's `whisper/assets` folder (mel_filters.npz and the
*.tiktoken token lists). OUT.bin is written with 16-bit weights (ggml ftype 1).

Why this exists: the only Whisper weights we can get from a package registry ship in
CTranslate2's format, while whisper.cpp (what whisper-rs wraps) reads its own ggml file.
Both hold the same numbers; only the container and the tensor layout differ, so the
conversion is lossless apart from the f32 -> f16 rounding whisper.cpp's own converter does
too. Needs only python3 and numpy.
"""

import base64
import os
import struct
import sys

import numpy as np


class ConversionError(Exception):
    """A problem with the input files, reported to the user without a traceback."""


# --------------------------------------------------------------------------------------
# Reading CTranslate2's model.bin
#
# Layout (all little-endian), as written by CTranslate2's ModelSpec._serialize:
#   u32 binary_version, string spec_name, u32 spec_revision,
#   u32 n_variables, then per variable:
#       string name, u8 rank, u32 dim * rank, u8 dtype_id, u32 n_bytes, n_bytes of data
#   u32 n_aliases, then per alias: string alias_name, string target_name
# where "string" is u16 length (counting a trailing NUL) + UTF-8 bytes + NUL.
# Aliases appear when two variables hold identical values (e.g. the decoder's output
# projection is tied to its token embedding); CTranslate2 stores the data once.
# --------------------------------------------------------------------------------------

CT2_BINARY_VERSION = 6  # the version current CTranslate2 writes; older ones differ in layout
# Index = CTranslate2's DataType enum (include/ctranslate2/types.h).
CT2_DTYPES = ["float32", "int8", "int16", "int32", "float16", "bfloat16"]


class Ct2Model:
    def __init__(self, path):
        self.path = path
        try:
            with open(path, "rb") as f:
                self._buf = f.read()
        except OSError as e:
            raise ConversionError(f"{path}: cannot read: {e.strerror}") from None
        self._pos = 0
        self.variables = {}  # name -> (dtype name, shape tuple, raw bytes view)
        self.aliases = {}  # alias name -> target name
        self._parse()

    def _take(self, n, what):
        if self._pos + n > len(self._buf):
            raise ConversionError(
                f"{self.path}: file ends early while reading {what} "
                f"(at byte {self._pos}, file has {len(self._buf)}); truncated download?"
            )
        chunk = memoryview(self._buf)[self._pos : self._pos + n]
        self._pos += n
        return chunk

    def _unpack(self, fmt, what):
        return struct.unpack(fmt, self._take(struct.calcsize(fmt), what))[0]

    def _string(self, what):
        n = self._unpack("<H", f"length of {what}")
        raw = bytes(self._take(n, what))
        if n == 0 or raw[-1] != 0:
            raise ConversionError(f"{self.path}: malformed {what} at byte {self._pos - n}")
        return raw[:-1].decode("utf-8", errors="replace")

    def _parse(self):
        version = self._unpack("<I", "binary version")
        if version != CT2_BINARY_VERSION:
            raise ConversionError(
                f"{self.path}: CTranslate2 binary version {version} is not supported "
                f"(expected {CT2_BINARY_VERSION}); is this a CTranslate2 model.bin?"
            )
        self.spec_name = self._string("spec name")
        if self.spec_name != "WhisperSpec":
            raise ConversionError(
                f"{self.path}: holds a '{self.spec_name}' model, not a Whisper model (WhisperSpec)"
            )
        self.spec_revision = self._unpack("<I", "spec revision")
        for _ in range(self._unpack("<I", "variable count")):
            name = self._string("variable name")
            rank = self._unpack("<B", f"rank of {name}")
            shape = tuple(self._unpack("<I", f"shape of {name}") for _ in range(rank))
            type_id = self._unpack("<B", f"dtype of {name}")
            if type_id >= len(CT2_DTYPES):
                raise ConversionError(f"{self.path}: variable {name} has unknown dtype id {type_id}")
            dtype = CT2_DTYPES[type_id]
            n_bytes = self._unpack("<I", f"size of {name}")
            itemsize = 2 if dtype == "bfloat16" else np.dtype(dtype).itemsize
            if n_bytes != int(np.prod(shape, dtype=np.int64)) * itemsize:
                raise ConversionError(
                    f"{self.path}: variable {name} claims {n_bytes} bytes, "
                    f"which does not fit shape {list(shape)} of {dtype}"
                )
            self.variables[name] = (dtype, shape, self._take(n_bytes, f"data of {name}"))
        for _ in range(self._unpack("<I", "alias count")):
            alias = self._string("alias name")
            self.aliases[alias] = self._string(f"target of alias {alias}")

    def has(self, name):
        return self._resolve(name) in self.variables

    def _resolve(self, name):
        seen = set()
        while name in self.aliases and name not in seen:
            seen.add(name)
            name = self.aliases[name]
        return name

    def shape(self, name):
        return self.variables[self._require(name)][1]

    def _require(self, name):
        target = self._resolve(name)
        if target not in self.variables:
            raise ConversionError(f"{self.path}: required variable '{name}' is missing")
        return target

    def array(self, name):
        """The variable as a float32 array, undoing any storage type or quantization."""
        target = self._require(name)
        dtype, shape, raw = self.variables[target]
        if dtype in ("float32", "float16"):
            return np.frombuffer(raw, dtype="<" + ("f4" if dtype == "float32" else "f2")).reshape(shape).astype(np.float32)
        if dtype == "bfloat16":
            # bfloat16 is the top half of a float32: widen by shifting into the high bits.
            halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            return halves.view(np.float32).reshape(shape)
        if dtype == "int8" and (target + "_scale") in self.variables:
            # int8 models keep one scale per output row: stored = round(weight * scale).
            q = np.frombuffer(raw, dtype=np.int8).reshape(shape).astype(np.float32)
            scale = self.array(target + "_scale").reshape(-1, *([1] * (len(shape) - 1)))
            return q / scale
        raise ConversionError(
            f"{self.path}: variable {name} is stored as {dtype}, which this converter "
            f"cannot turn back into floats; use a float16/float32/bfloat16/int8 model"
        )

    def scalar_int(self, name):
        target = self._require(name)
        dtype, shape, raw = self.variables[target]
        if shape != () or dtype not in ("int8", "int16", "int32"):
            raise ConversionError(f"{self.path}: '{name}' should be an integer scalar, is {dtype} {list(shape)}")
        return int(np.frombuffer(raw, dtype="<" + {"int8": "i1", "int16": "i2", "int32": "i4"}[dtype])[0])


# --------------------------------------------------------------------------------------
# Mapping CTranslate2 variables onto whisper.cpp tensors
# --------------------------------------------------------------------------------------


def count_layers(model, prefix):
    n = 0
    while model.has(f"{prefix}/layer_{n}/self_attention/linear_0/weight"):
        n += 1
    if n == 0:
        raise ConversionError(f"{model.path}: no {prefix} layers found ({prefix}/layer_0/... is missing)")
    return n


def split_rows(model, name, parts, n_state):
    """Split a fused projection (weight [parts*n_state, n_state] or bias [parts*n_state])."""
    arr = model.array(name)
    if arr.shape[0] != parts * n_state:
        raise ConversionError(
            f"{model.path}: {name} has {arr.shape[0]} rows, expected {parts} x {n_state} "
            f"(fused projections)"
        )
    return np.split(arr, parts, axis=0)


def attention_tensors(model, ct2, out, fused_qkv, n_state):
    """Yield (ggml name, array) for one attention block.

    CTranslate2 fuses projections to save matmuls: self-attention keeps query, key and value
    stacked in linear_0; cross-attention keeps the query in linear_0 and key+value stacked
    in linear_1 (the keys/values come from the encoder output, computed once). whisper.cpp
    wants them separate, like OpenAI's checkpoint. Whisper has no key bias: CTranslate2
    fills that third of the fused bias with zeros, and whisper.cpp has no tensor for it.
    (A key bias would not matter anyway: it adds the same q.b to every score of a query,
    which softmax cancels.)
    """
    if fused_qkv:
        q_w, k_w, v_w = split_rows(model, f"{ct2}/linear_0/weight", 3, n_state)
        q_b, _k_b, v_b = split_rows(model, f"{ct2}/linear_0/bias", 3, n_state)
        out_proj = f"{ct2}/linear_1"
    else:
        q_w = model.array(f"{ct2}/linear_0/weight")
        q_b = model.array(f"{ct2}/linear_0/bias")
        k_w, v_w = split_rows(model, f"{ct2}/linear_1/weight", 2, n_state)
        _k_b, v_b = split_rows(model, f"{ct2}/linear_1/bias", 2, n_state)
        out_proj = f"{ct2}/linear_2"
    yield f"{out}.query.weight", q_w
    yield f"{out}.query.bias", q_b
    yield f"{out}.key.weight", k_w
    yield f"{out}.value.weight", v_w
    yield f"{out}.value.bias", v_b
    yield f"{out}.out.weight", model.array(f"{out_proj}/weight")
    yield f"{out}.out.bias", model.array(f"{out_proj}/bias")


def layer_norm(model, ct2, out):
    yield f"{out}.weight", model.array(f"{ct2}/gamma")
    yield f"{out}.bias", model.array(f"{ct2}/beta")


def ffn_tensors(model, ct2, out):
    # OpenAI's MLP is Sequential(Linear, GELU, Linear), hence the indices 0 and 2.
    yield from layer_norm(model, f"{ct2}/layer_norm", f"{out}.mlp_ln")
    yield f"{out}.mlp.0.weight", model.array(f"{ct2}/linear_0/weight")
    yield f"{out}.mlp.0.bias", model.array(f"{ct2}/linear_0/bias")
    yield f"{out}.mlp.2.weight", model.array(f"{ct2}/linear_1/weight")
    yield f"{out}.mlp.2.bias", model.array(f"{ct2}/linear_1/bias")


def all_tensors(model, hp):
    n_state = hp["n_audio_state"]
    # Encoder: conv stem, positions, transformer blocks, final norm.
    yield "encoder.conv1.weight", model.array("encoder/conv1/weight")
    # whisper.cpp adds the conv bias to a [n_ctx, n_state] result, so it wants it as a
    # [n_state, 1] column, as OpenAI's own converter writes it.
    yield "encoder.conv1.bias", model.array("encoder/conv1/bias").reshape(-1, 1)
    yield "encoder.conv2.weight", model.array("encoder/conv2/weight")
    yield "encoder.conv2.bias", model.array("encoder/conv2/bias").reshape(-1, 1)
    yield "encoder.positional_embedding", model.array("encoder/position_encodings/encodings")
    for i in range(hp["n_audio_layer"]):
        ct2, out = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        yield from layer_norm(model, f"{ct2}/self_attention/layer_norm", f"{out}.attn_ln")
        yield from attention_tensors(model, f"{ct2}/self_attention", f"{out}.attn", True, n_state)
        yield from ffn_tensors(model, f"{ct2}/ffn", out)
    yield from layer_norm(model, "encoder/layer_norm", "encoder.ln_post")

    # Decoder. CTranslate2's separate output projection is an alias of the token
    # embedding (Whisper ties them); whisper.cpp reuses the embedding, so it is not written.
    yield "decoder.token_embedding.weight", model.array("decoder/embeddings/weight")
    yield "decoder.positional_embedding", model.array("decoder/position_encodings/encodings")
    for i in range(hp["n_text_layer"]):
        ct2, out = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        yield from layer_norm(model, f"{ct2}/self_attention/layer_norm", f"{out}.attn_ln")
        yield from attention_tensors(model, f"{ct2}/self_attention", f"{out}.attn", True, n_state)
        yield from layer_norm(model, f"{ct2}/attention/layer_norm", f"{out}.cross_attn_ln")
        yield from attention_tensors(model, f"{ct2}/attention", f"{out}.cross_attn", False, n_state)
        yield from ffn_tensors(model, f"{ct2}/ffn", out)
    yield from layer_norm(model, "decoder/layer_norm", "decoder.ln")


def is_f16(name, arr):
    """Which tensors whisper.cpp expects in 16-bit for an ftype=1 model.

    Its loader checks each tensor's type against what it allocated: the big matrices
    (projections, convolution kernels, token embedding) in the model's weight type, and
    everything else (biases, norms, positional embeddings) in f32.
    """
    return arr.ndim >= 2 and not name.endswith("positional_embedding") and not name.endswith(".bias")


def hyperparameters(model):
    emb = model.shape("decoder/embeddings/weight")
    conv1 = model.shape("encoder/conv1/weight")
    enc_pos = model.shape("encoder/position_encodings/encodings")
    dec_pos = model.shape("decoder/position_encodings/encodings")
    if len(emb) != 2 or len(conv1) != 3 or len(enc_pos) != 2 or len(dec_pos) != 2:
        raise ConversionError(f"{model.path}: unexpected tensor ranks for a Whisper model")
    hp = {
        "n_vocab": emb[0],
        "n_audio_ctx": enc_pos[0],
        "n_audio_state": enc_pos[1],
        "n_audio_head": model.scalar_int("encoder/num_heads"),
        "n_audio_layer": count_layers(model, "encoder"),
        "n_text_ctx": dec_pos[0],
        "n_text_state": emb[1],
        "n_text_head": model.scalar_int("decoder/num_heads"),
        "n_text_layer": count_layers(model, "decoder"),
        "n_mels": conv1[1],
    }
    if hp["n_audio_state"] != hp["n_text_state"]:
        # whisper.cpp asserts this; every released Whisper model satisfies it.
        raise ConversionError(
            f"{model.path}: encoder width {hp['n_audio_state']} != decoder width {hp['n_text_state']}"
        )
    return hp


# --------------------------------------------------------------------------------------
# Assets: mel filterbank and token list
# --------------------------------------------------------------------------------------


def load_mel_filters(assets_dir, n_mels):
    # whisper.cpp computes the log-mel spectrogram itself but takes the filterbank from the
    # model file; OpenAI ships the exact one Whisper was trained with.
    path = os.path.join(assets_dir, "mel_filters.npz")
    key = f"mel_{n_mels}"
    try:
        with np.load(path) as npz:
            if key not in npz:
                raise ConversionError(f"{path}: has no '{key}' filterbank (has: {', '.join(npz.files)})")
            filters = npz[key].astype(np.float32)
    except OSError as e:
        raise ConversionError(f"{path}: cannot read mel filters: {e.strerror or e}") from None
    except ValueError as e:
        raise ConversionError(f"{path}: not a numpy .npz archive: {e}") from None
    if filters.ndim != 2 or filters.shape[0] != n_mels:
        raise ConversionError(f"{path}: {key} has shape {list(filters.shape)}, expected [{n_mels}, n_fft]")
    return filters


def load_tokens(assets_dir, n_vocab):
    # English-only models (n_vocab 51864) use GPT-2's byte-level BPE; multilingual ones
    # (51865 and up) use OpenAI's multilingual list. Only the ordinary tokens are stored:
    # whisper.cpp names the special tokens (<|endoftext|>, timestamps, ...) itself from
    # n_vocab, the same as for files made by whisper.cpp's own converter.
    fname = "gpt2.tiktoken" if n_vocab < 51865 else "multilingual.tiktoken"
    path = os.path.join(assets_dir, fname)
    tokens = []
    try:
        with open(path, "rb") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                parts = line.split()
                if len(parts) != 2 or int(parts[1]) != len(tokens):
                    raise ConversionError(f"{path}:{lineno}: expected 'BASE64 {len(tokens)}'")
                # multilingual.tiktoken holds one empty token, spelled "=": keep it, as
                # whisper.cpp expects the ids of the tokens after it to stay in place.
                tokens.append(b"" if parts[0] == b"=" else base64.b64decode(parts[0], validate=True))
    except OSError as e:
        raise ConversionError(f"{path}: cannot read token list: {e.strerror}") from None
    except ValueError as e:
        raise ConversionError(f"{path}: malformed token list: {e}") from None
    if not tokens or len(tokens) >= n_vocab:
        raise ConversionError(f"{path}: has {len(tokens)} tokens, model vocabulary is {n_vocab}")
    return tokens


def check_tokens_match(ct2_dir, tokens):
    """Guard against pairing a model with the wrong token list, if the model ships its own.

    vocabulary.txt spells tokens the way Hugging Face's byte-level BPE does: every byte
    mapped to a printable character. Undo that mapping and compare with the tiktoken bytes.
    """
    path = os.path.join(ct2_dir, "vocabulary.txt")
    if not os.path.exists(path):
        return
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    char_to_byte = {chr(b): b for b in printable}
    extra = 0
    for b in range(256):
        if b not in printable:
            char_to_byte[chr(256 + extra)] = b
            extra += 1
    with open(path, encoding="utf-8") as f:
        vocab = f.read().split("\n")
    for i, token in enumerate(tokens):
        try:
            spelled = bytes(char_to_byte[c] for c in vocab[i])
        except (KeyError, IndexError):
            spelled = None
        if spelled != token:
            raise ConversionError(
                f"{path}: token {i} is {vocab[i] if i < len(vocab) else '<missing>'!r}, but the "
                f"token list says {token!r}: the assets do not belong to this model"
            )


# --------------------------------------------------------------------------------------
# Writing the ggml file
#
# Layout (little-endian int32 unless noted), as read by whisper.cpp's whisper_model_load:
#   magic 0x67676d6c ("ggml"),
#   n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
#   n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype,
#   n_mel, n_fft, float32 filters[n_mel * n_fft],
#   n_tokens, then per token: length, bytes,
#   then per tensor until EOF: n_dims, name length, type (0 f32, 1 f16),
#       dims innermost first (ggml order, the reverse of numpy's), name, data.
# --------------------------------------------------------------------------------------

GGML_MAGIC = 0x67676D6C
FTYPE_F16 = 1


def write_ggml(out_path, hp, filters, tokens, tensors):
    header = [hp[k] for k in (
        "n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
        "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer", "n_mels")]
    # Write next to the target and rename at the end, so a failed run never leaves a
    # truncated model where whisper.cpp would pick it up.
    tmp_path = out_path + ".partial"
    n_tensors = 0
    try:
        with open(tmp_path, "wb") as f:
            f.write(struct.pack("<I", GGML_MAGIC))
            f.write(struct.pack("<11i", *header, FTYPE_F16))
            f.write(struct.pack("<2i", *filters.shape))
            f.write(filters.astype("<f4").tobytes())
            f.write(struct.pack("<i", len(tokens)))
            for token in tokens:
                f.write(struct.pack("<i", len(token)))
                f.write(token)
            for name, arr in tensors:
                f16 = is_f16(name, arr)
                data = arr.astype("<f2" if f16 else "<f4")
                encoded = name.encode("utf-8")
                f.write(struct.pack("<3i", data.ndim, len(encoded), 1 if f16 else 0))
                f.write(struct.pack(f"<{data.ndim}i", *reversed(data.shape)))
                f.write(encoded)
                f.write(np.ascontiguousarray(data).tobytes())
                n_tensors += 1
        os.replace(tmp_path, out_path)
    except OSError as e:
        raise ConversionError(f"{out_path}: cannot write: {e.strerror}") from None
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
    return n_tensors


def convert(ct2_dir, assets_dir, out_path):
    if not os.path.isdir(ct2_dir):
        raise ConversionError(f"{ct2_dir}: not a directory (expected a CTranslate2 Whisper model)")
    if not os.path.isdir(assets_dir):
        raise ConversionError(f"{assets_dir}: not a directory (expected openai-whisper's whisper/assets)")
    model = Ct2Model(os.path.join(ct2_dir, "model.bin"))
    hp = hyperparameters(model)
    filters = load_mel_filters(assets_dir, hp["n_mels"])
    tokens = load_tokens(assets_dir, hp["n_vocab"])
    check_tokens_match(ct2_dir, tokens)
    n = write_ggml(out_path, hp, filters, tokens, all_tensors(model, hp))
    return hp, n


def main(argv):
    if len(argv) != 4 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        hp, n = convert(argv[1], argv[2], argv[3])
    except ConversionError as e:
        print(f"whisper_ct2_to_ggml: {e}", file=sys.stderr)
        return 1
    print(
        f"whisper_ct2_to_ggml: wrote {argv[3]}: {n} tensors, "
        + ", ".join(f"{k}={v}" for k, v in hp.items()),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
