//! The sentence-embedding model: a BERT encoder (all-MiniLM-L6-v2) run on the CPU with
//! candle, mean-pooled and normalised, so that a dot product is the cosine similarity.

use super::super::DocsError;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::path::{Path, PathBuf};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

/// The folder name the model is looked for under (`…/models/<this>`).
pub const MODEL_NAME: &str = "all-minilm-l6-v2";
/// Files a model folder must hold.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// Word pieces per text the model reads; longer texts are cut (it was trained on 128-256).
const MAX_TOKENS: usize = 256;

pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    /// Identifies the model, so vectors from another one are not mixed in.
    fingerprint: String,
    dimensions: usize,
}

impl Embedder {
    /// Loads the model in `dir` (the files of [`MODEL_FILES`]).
    pub fn load(dir: &Path) -> Result<Self, DocsError> {
        let fail = |message: String| DocsError::Model {
            dir: dir.to_owned(),
            message,
        };
        for file in MODEL_FILES {
            if !dir.join(file).is_file() {
                return Err(fail(format!("{file} is missing")));
            }
        }
        let config_text =
            std::fs::read_to_string(dir.join("config.json")).map_err(|e| DocsError::Io {
                path: dir.join("config.json"),
                source: e,
            })?;
        let config: Config =
            serde_json::from_str(&config_text).map_err(|e| fail(format!("config.json: {e}")))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| fail(format!("tokenizer.json: {e}")))?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| fail(format!("tokenizer.json: {e}")))?;
        let weights: PathBuf = dir.join("model.safetensors");
        let weights_len = std::fs::metadata(&weights).map(|m| m.len()).unwrap_or(0);
        // SAFETY: the file is only read; the weights are copied into tensors while loading.
        let vars =
            unsafe { VarBuilder::from_mmaped_safetensors(&[&weights], DType::F32, &Device::Cpu) }
                .map_err(|e| fail(format!("model.safetensors: {e}")))?;
        let model =
            BertModel::load(vars, &config).map_err(|e| fail(format!("model.safetensors: {e}")))?;
        Ok(Self {
            model,
            tokenizer,
            fingerprint: format!("{MODEL_NAME}/{}/{weights_len}", config.hidden_size),
            dimensions: config.hidden_size,
        })
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// One unit-length vector per text.
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, DocsError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let model_error = |e: candle_core::Error| DocsError::Embedding(e.to_string());
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| DocsError::Embedding(e.to_string()))?;
        let device = Device::Cpu;
        let stack = |rows: Vec<&[u32]>| -> Result<Tensor, DocsError> {
            let rows = rows
                .into_iter()
                .map(|r| Tensor::new(r, &device))
                .collect::<Result<Vec<_>, _>>()
                .map_err(model_error)?;
            Tensor::stack(&rows, 0).map_err(model_error)
        };
        let ids = stack(encodings.iter().map(|e| e.get_ids()).collect())?;
        let mask = stack(encodings.iter().map(|e| e.get_attention_mask()).collect())?;
        let pooled = (|| {
            let types = ids.zeros_like()?;
            let states = self.model.forward(&ids, &types, Some(&mask))?;
            // Mean over the real tokens (padding masked out), then unit length.
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let sums = states.broadcast_mul(&mask)?.sum(1)?;
            let mean = sums.broadcast_div(&mask.sum(1)?)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        })()
        .map_err(model_error)?;
        Ok(pooled)
    }
}
