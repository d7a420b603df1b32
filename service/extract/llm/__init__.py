"""The schema-constrained LLM extractor (instructor + the openai SDK, any OpenAI-compatible
endpoint). See docs/llm.md.

Owns: ``service.extract.llm.*`` — provider/client (``provider``), prompt templates
(``prompts``), the response cache (``cache``), grounding of quotes (``grounding``), usage
accounting (``usage``), what each call sees (``chunks``), the response models
(``schemas``) and their mapping to ``service.records`` (``mapper``), the extractor, the
merge with the rules (``merge``) and the pipeline's entry (``stage``). Must not import the
database, the jobs or the web. Submodules are imported where used (the pipeline imports
this package while ``service.extract`` is still loading).
"""
