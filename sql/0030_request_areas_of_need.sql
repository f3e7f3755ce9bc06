-- A request's areas of need (DOMAIN.md: the SEND Code of Practice's four broad areas), for the panel and for the
-- reports by area of need. A request that names pupils takes its areas from their records as well; one that names
-- none (a project's cohort, a discussion about the school's practice) must choose at least one to be submitted.
ALTER TABLE funding_requests ADD COLUMN areas_of_need text[] NOT NULL DEFAULT '{}'
    CONSTRAINT funding_requests_areas_of_need CHECK (areas_of_need <@ ARRAY['communication_and_interaction', 'cognition_and_learning',
                                                                            'social_emotional_and_mental_health', 'sensory_and_physical']);
