/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* confab-cassette-yaml.c: a YAML document as a json-glib tree (plain scalars that are
 * integers, true/false or null as such, everything else a string). Only built with libyaml. */
JsonNode *_confab_cassette_yaml_to_json (const char  *data,
                                         gsize        len,
                                         GError     **error);

G_END_DECLS
